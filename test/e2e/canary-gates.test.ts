// End to end: Flagger's gate webhooks answered by Flightdeck from the store, opened by Promote/Abort canary presses of approvers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canaryChecksum } from '../../src/sandbox/kube/flaggerHooks.js';
import { kubeFaults } from '../../src/sandbox/faults.js';
import { eventually } from '../support/harness.js';
import { askGate, canaryStatusOf, press, repliesTo, startCanaryWorld, type CanaryWorld } from '../support/canary-kit.js';

let w: CanaryWorld;
const flagger = () => w.fd.world.kube.flagger;
const canaryObject = () => w.fd.world.kube.get('flagger.app/v1beta1', 'Canary', 'production', 'backend');
const ephemeralsOf = (user: string) => w.fd.world.slack.ephemerals(user).map((e) => e.text).join('\n');

function holdAnalysis(): void {
  flagger().setOutcome('production', 'backend', 'hang');
  flagger().analyse('production', 'backend');
}

beforeEach(async () => {
  w = await startCanaryWorld();
});
afterEach(async () => {
  await w.close();
});

describe('Flagger gates', () => {
  it('hold until enough approvers pressed Promote canary for that revision, and Abort canary opens only the rollback gate', async () => {
    holdAnalysis();
    expect(await askGate(w.fd, '/flagger/gate/check')).toBe(403);
    expect(await askGate(w.fd, '/flagger/rollback/check')).toBe(403);
    const status = await canaryStatusOf(w.fd, 'prod');
    const value = status.buttons.find((b) => b.text === 'Promote canary')!.value;

    await press(w.fd, 'canary_promote', value, 'U0DEV', status.ts);
    await eventually(() => ephemeralsOf('U0DEV').includes('Only deploy approvers of production'), { what: 'refusal' });
    expect(await askGate(w.fd, '/flagger/gate/check')).toBe(403);

    await press(w.fd, 'canary_promote', value, 'U0EXEC1', status.ts);
    await eventually(() => repliesTo(w.fd, status.ts).some((t) => t.includes('1 of 2 approvals')), { what: 'first approval' });
    expect(await askGate(w.fd, '/flagger/gate/check')).toBe(403);
    await press(w.fd, 'canary_promote', value, 'U0EXEC1', status.ts);
    await eventually(() => ephemeralsOf('U0EXEC1').includes('You have already pressed *Promote canary*'), { what: 'duplicate press' });

    await press(w.fd, 'canary_promote', value, 'U0EXEC2', status.ts);
    await eventually(() => repliesTo(w.fd, status.ts).some((t) => t.includes('the gate is open')), { what: 'gate open' });
    expect(await askGate(w.fd, '/flagger/gate/check')).toBe(200);
    expect(await askGate(w.fd, '/flagger/gate/approve')).toBe(200);
    expect(await askGate(w.fd, '/flagger/rollback/check')).toBe(403);

    // Abort canary: the rollback approvers (S0ONCALL, one needed); an executive is one of them too.
    await press(w.fd, 'canary_abort', value, 'U0ONCALL', status.ts);
    await eventually(async () => (await askGate(w.fd, '/flagger/rollback/check')) === 200, { what: 'rollback gate open' });
    const audit = (await w.fd.app.store.auditOf('canary:production/backend')).map((a) => `${a.actor} ${a.action}`);
    expect(audit).toEqual(['U0EXEC1 canary-gate-recorded', 'U0EXEC2 canary-gate-opened', 'U0ONCALL canary-gate-opened']); // the duplicate press changed nothing and is not audited
  });

  it('keep an open gate across a restart, and close it once a later revision supersedes it', async () => {
    holdAnalysis();
    const first = canaryChecksum(canaryObject());
    expect(await askGate(w.fd, '/flagger/gate/check')).toBe(403);
    const status = await canaryStatusOf(w.fd, 'prod');
    const value = status.buttons[0]!.value;
    await press(w.fd, 'canary_promote', value, 'U0EXEC1', status.ts);
    await eventually(() => repliesTo(w.fd, status.ts).some((t) => t.includes('1 of 2')), { what: 'first approval' });
    await press(w.fd, 'canary_promote', value, 'U0EXEC2', status.ts);
    await eventually(async () => (await askGate(w.fd, '/flagger/gate/check')) === 200, { what: 'open' });

    await w.fd.restart();
    expect(await askGate(w.fd, '/flagger/gate/check', undefined, first)).toBe(200);

    // A new revision: its gate is closed, and the old one is gone with it.
    flagger().analyse('production', 'backend');
    const second = canaryChecksum(canaryObject());
    expect(second).not.toBe(first);
    expect(await askGate(w.fd, '/flagger/gate/check', undefined, second)).toBe(403);
    expect(await askGate(w.fd, '/flagger/gate/check', undefined, first)).toBe(403);
    // The old message's buttons name the old revision: pressing them changes nothing.
    await press(w.fd, 'canary_promote', value, 'U0EXEC3', status.ts);
    await eventually(() => ephemeralsOf('U0EXEC3').includes('moved on to another revision'), { what: 'moved on' });
    expect(await askGate(w.fd, '/flagger/gate/check', undefined, second)).toBe(403);
  });

  it('says so when Flagger has not asked about the revision yet, and holds canaries it does not serve', async () => {
    holdAnalysis();
    const status = await canaryStatusOf(w.fd, 'prod');
    await press(w.fd, 'canary_promote', status.buttons[0]!.value, 'U0EXEC1', status.ts);
    await eventually(() => ephemeralsOf('U0EXEC1').includes('Flagger has not asked Flightdeck about the current revision'), { what: 'not asked' });
    expect(await askGate(w.fd, '/flagger/gate/check', { namespace: 'staging', name: 'backend' }, 'abc')).toBe(403);
  });

  it('reads the Canary again on the next call when it could not be read the first time a revision was presented', async () => {
    holdAnalysis();
    w.fd.world.kube.faults.inject({ ...kubeFaults.unavailable(), method: 'GET', path: '/apis/flagger.app/v1beta1/namespaces/production/canaries/backend' });
    expect(await askGate(w.fd, '/flagger/gate/check')).toBe(403);
    const status = await canaryStatusOf(w.fd, 'prod');
    expect(status.shown).not.toContain('Flightdeck gates for this revision');
    expect(await askGate(w.fd, '/flagger/gate/check')).toBe(403);
    const again = await canaryStatusOf(w.fd, 'prod');
    expect(again.shown).toContain('Flightdeck gates for this revision — promote: closed · rollback: closed');
  });

  it('answer bad, oversized and wrong-method requests with 400/405, never a reset', async () => {
    const post = async (body: string) => {
      const res = await fetch(`${w.fd.url}/flagger/gate/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: res.status, body: await res.text() };
    };
    expect((await post('not json')).status).toBe(400);
    expect((await post('{"namespace":"production"}')).status).toBe(400);
    expect((await post(JSON.stringify({ name: 'backend', namespace: 'production', checksum: 'x'.repeat(300) }))).status).toBe(400);
    const huge = await post(JSON.stringify({ name: 'backend', namespace: 'production', metadata: { pad: 'x'.repeat(1024 * 1024) } }));
    expect(huge.status).toBe(400);
    expect(huge.body).toContain('larger than');
    expect((await fetch(`${w.fd.url}/flagger/gate/check`)).status).toBe(405);
    expect((await fetch(`${w.fd.url}/flagger/gate/other`, { method: 'POST', body: '{}' })).status).toBe(404);
    // The server still answers afterwards.
    expect((await fetch(`${w.fd.url}/healthz`)).status).toBe(200);
  });

  it('let Flagger promote once the buttons opened its confirm-promotion webhook, and roll back through its rollback webhook', async () => {
    const hooks = [
      { name: 'promotion', type: 'confirm-promotion', url: `${w.fd.url}/flagger/gate/check` },
      { name: 'abort', type: 'rollback', url: `${w.fd.url}/flagger/rollback/check` },
    ];
    flagger().seedCanary({ name: 'backend', namespace: 'production', analysis: { webhooks: hooks } });
    flagger().analyse('production', 'backend');
    await eventually(() => canaryObject().status.phase === 'WaitingPromotion', { what: 'waiting for promotion' });
    await eventually(() => flagger().hooks.calls.some((c) => c.type === 'confirm-promotion' && c.status === 403), { what: 'gate asked' });
    const status = await canaryStatusOf(w.fd, 'prod');
    for (const user of ['U0EXEC1', 'U0EXEC2']) await press(w.fd, 'canary_promote', status.buttons[0]!.value, user, status.ts);
    await eventually(() => canaryObject().status.phase === 'Succeeded', { what: 'promoted', timeoutMs: 15_000 });
    expect(flagger().phases('production', 'backend')).toEqual(['Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Succeeded']);

    flagger().analyse('production', 'backend');
    const revision = canaryChecksum(canaryObject());
    await eventually(() => flagger().hooks.calls.some((c) => c.type === 'rollback' && c.checksum === revision), { what: 'rollback polled for the new revision' });
    const next = await canaryStatusOf(w.fd, 'prod');
    expect(next.shown).toContain('Flightdeck gates for this revision — promote: closed · rollback: closed');
    await press(w.fd, 'canary_abort', next.buttons[0]!.value, 'U0ONCALL', next.ts);
    await eventually(() => canaryObject().status.phase === 'Failed', { what: 'rolled back', timeoutMs: 15_000 });
  });
});

describe('Flagger gates with a webhook token (FLAGGER_WEBHOOK_TOKEN)', () => {
  const TOKEN = 'gate-token-0123456789abcdef';
  const PRODUCTION = { namespace: 'production', name: 'backend' };
  const withToken = (path: string, token: string | null) => askGate(w.fd, path, PRODUCTION, undefined, token === null ? {} : { token });

  beforeEach(async () => {
    // the outer beforeEach started a world without the token: this block needs its own
    await w.close();
    w = await startCanaryWorld({ env: { FLAGGER_WEBHOOK_TOKEN: TOKEN } });
  });

  it('refuses a call without the token (or with another) even once the gate is open, and answers the one with it', async () => {
    holdAnalysis();
    expect(await withToken('/flagger/gate/check', null)).toBe(401);
    expect(await withToken('/flagger/gate/check', 'not-the-token-at-all')).toBe(401);
    expect(await withToken('/flagger/gate/check', TOKEN)).toBe(403);
    const status = await canaryStatusOf(w.fd, 'prod');
    for (const user of ['U0EXEC1', 'U0EXEC2']) await press(w.fd, 'canary_promote', status.buttons[0]!.value, user, status.ts);
    await eventually(async () => (await withToken('/flagger/gate/check', TOKEN)) === 200, { what: 'gate open' });
    expect(await withToken('/flagger/gate/approve', null)).toBe(401);
    expect(await withToken('/flagger/rollback/check', 'x')).toBe(401);
    expect(await withToken('/flagger/rollback/check', TOKEN)).toBe(403);
  });

  it('lets Flagger promote when its webhooks carry the token in their metadata', async () => {
    const hooks = [{ name: 'promotion', type: 'confirm-promotion', url: `${w.fd.url}/flagger/gate/check`, metadata: { token: TOKEN } }];
    flagger().seedCanary({ name: 'backend', namespace: 'production', analysis: { webhooks: hooks } });
    flagger().analyse('production', 'backend');
    await eventually(() => flagger().hooks.calls.some((c) => c.type === 'confirm-promotion' && c.status === 403), { what: 'gate asked with the token' });
    const status = await canaryStatusOf(w.fd, 'prod');
    for (const user of ['U0EXEC1', 'U0EXEC2']) await press(w.fd, 'canary_promote', status.buttons[0]!.value, user, status.ts);
    await eventually(() => canaryObject().status.phase === 'Succeeded', { what: 'promoted', timeoutMs: 15_000 });
  });
});
