// End to end: races, conflicts, expiry, restarts, locks, status and probes.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/runtime/clock.js';
import { kustomization } from '../../src/sandbox/world.js';
import { eventually, startFlightdeck, type Running } from '../support/harness.js';
import { lastRequest, privateTo, requests, threadOf } from '../support/slack-view.js';

const STAGING = 'k8s/overlays/staging/kustomization.yaml';
let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

async function request(run: Running, text: string, user: string) {
  const before = requests(run.world).length;
  await run.slash(text, user);
  await run.settled();
  expect(requests(run.world)).toHaveLength(before + 1);
  const posted = lastRequest(run.world)!;
  expect((await run.app.store.getRequest(posted.id))?.messageTs).toBe(posted.ts);
  return posted;
}

const deploysTo = (env: string) => async (run: Running) => (await run.world.github.log('acme/gitops')).filter((c) => c.message.startsWith(`Deploy ${env}`));

describe('races and conflicts', () => {
  it('two approvers clicking at the same moment produce exactly one commit', async () => {
    fd = await startFlightdeck();
    await fd.world.github.commit('acme/gitops', { 'k8s/overlays/staging/kustomization.yaml': kustomization('staging', 'v3.0.0', 'v3.0.0') }, { message: 'staging on 3.0.0' });
    const req = await request(fd, 'production v3.0.0', 'U0DEV');
    await fd.click('deploy_approve', req.id, 'U0EXEC1');
    await fd.settled();
    expect((await fd.app.store.getRequest(req.id))?.approvals).toHaveLength(1);
    await Promise.all([fd.click('deploy_approve', req.id, 'U0EXEC2'), fd.click('deploy_approve', req.id, 'U0EXEC3')]);
    await fd.settled();
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect(await deploysTo('production')(fd)).toHaveLength(1);
    const late = [...privateTo(fd.world, 'U0EXEC2'), ...privateTo(fd.world, 'U0EXEC3')].join('\n');
    expect(late).toMatch(/already (approved|committed|syncing|succeeded)/);
  });

  it('retries the commit when someone else pushed to the overlay meanwhile, never forcing', async () => {
    fd = await startFlightdeck();
    const req = await request(fd, 'staging v3.0.0', 'U0DEV');
    const theirs = kustomization('staging', 'v2.9.0', 'v2.9.0') + '# replicas bumped by hand\n';
    fd.world.github.beforeNextWrite(async () => {
      await fd!.world.github.commit('acme/gitops', { [STAGING]: theirs }, { message: 'Someone else: bump replicas' });
    });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(await deploysTo('staging')(fd)).toHaveLength(1);
    const log = await fd.world.github.log('acme/gitops');
    expect(log[0]!.message).toMatch(/^Deploy staging/);
    expect(log[1]!.message).toBe('Someone else: bump replicas');
    const file = await fd.world.github.readFile('acme/gitops', STAGING);
    expect(file).toBe(kustomization('staging', 'v3.0.0', 'v3.0.0') + '# replicas bumped by hand\n');
    expect((await fd.app.store.auditOf(req.id)).map((a) => a.action)).toContain('commit-conflict');
  });
});

describe('time and restarts', () => {
  it('expires a request after its TTL', async () => {
    const clock = new ManualClock(Date.now());
    fd = await startFlightdeck({ options: { clock } });
    const req = await request(fd, 'staging v3.0.0', 'U0DEV');
    clock.advance(59 * 60_000);
    await fd.app.tick();
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('pending');
    clock.advance(2 * 60_000);
    await fd.app.tick();
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('expired');
    await eventually(() => /Expired/i.test(lastRequest(fd!.world)!.shown) && lastRequest(fd!.world)!.buttons.length === 0, { what: 'message shows expiry' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await eventually(() => privateTo(fd!.world, 'U0LEAD').some((t) => /expired/.test(t)), { what: 'approve after expiry refused' });
    expect(await deploysTo('staging')(fd)).toHaveLength(0);
  });

  it('keeps a pending request across a restart', async () => {
    fd = await startFlightdeck();
    const req = await request(fd, 'staging v3.0.0', 'U0DEV');
    await fd.restart();
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect(await deploysTo('staging')(fd)).toHaveLength(1);
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/healthy/);
  });

  it('resumes a delivery that was syncing when the process stopped', async () => {
    fd = await startFlightdeck();
    fd.world.kube.argo.setOutcome('shop-staging', 'hang');
    const req = await request(fd, 'staging v3.0.0', 'U0DEV');
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await eventually(async () => (await fd!.app.store.getRequest(req.id))?.state === 'syncing', { what: 'syncing' });
    await fd.restart();
    fd.world.kube.argo.setOutcome('shop-staging', 'succeed');
    await fd.settled();
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    // One sync asked for in all: a PATCH that lost a race with the controller (409) and was retried asked for nothing.
    const ops = fd.world.kube.calls.filter((c) => c.method === 'PATCH' && (c.body as any)?.operation && c.status! < 300);
    expect(ops).toHaveLength(1);
  });
});

describe('locks, status, help and probes', () => {
  it('a lock stops deploys until unlocked, and shows who and why with the reason made inert', async () => {
    fd = await startFlightdeck();
    const lock = await fd.slash('lock staging for 2h release of <!channel> & friends', 'U0LEAD');
    expect(lock.status).toBe(200);
    const said = await eventually(() => fd!.world.slack.responses.find((r) => r.url === lock.responseUrl), { what: 'lock reply' });
    expect(said.body.response_type).toBe('in_channel');
    expect(said.body.text).toContain('&lt;!channel&gt; &amp; friends');
    expect(said.body.text).not.toContain('<!channel>');
    const refused = await fd.slash('staging v3.0.0', 'U0DEV');
    await eventually(() => fd!.world.slack.responses.some((r) => r.url === refused.responseUrl && /locked by <@U0LEAD>/.test(r.body?.text ?? '')), { what: 'deploy refused by lock' });
    await fd.slash('unlock staging', 'U0LEAD');
    await eventually(async () => (await fd!.app.store.listLocks()).length === 0, { what: 'unlocked' });
    await request(fd, 'staging v3.0.0', 'U0DEV');
  });

  it('/deploy status shows desired and live versions; help explains usage', async () => {
    fd = await startFlightdeck();
    const status = await fd.slash('status', 'U0DEV');
    const reply = await eventually(() => fd!.world.slack.responses.find((r) => r.url === status.responseUrl), { what: 'status reply' });
    const shown = JSON.stringify(reply.body);
    expect(shown).toContain('staging');
    expect(shown).toContain('v2.9.0');
    expect(shown).toContain('Synced');
    const help = await fd.slash('help', 'U0DEV');
    expect(help.body).toMatch(/\/deploy/);
    expect(help.body).toMatch(/lock/);
  });

  it('serves health, readiness and metrics', async () => {
    fd = await startFlightdeck();
    expect((await fetch(`${fd.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${fd.url}/readyz`)).status).toBe(200);
    await fd.slash('help', 'U0DEV');
    const metrics = await (await fetch(`${fd.url}/metrics`)).text();
    expect(metrics).toMatch(/flightdeck_commands_total\{command="deploy"\} 1/);
    expect(metrics).toContain('flightdeck_pending_approvals');
    const gate = await fetch(`${fd.url}/flagger/gate/check`, { method: 'POST', body: JSON.stringify({ name: 'backend', namespace: 'production', phase: 'Progressing', checksum: 'abc' }) });
    expect(gate.status).toBe(403);
  });
});
