// End to end: a production deploy follows Argo CD and then the Flagger Canary of the app it changes, to its verdict.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kustomization } from '../../src/sandbox/world.js';
import { eventually, startFlightdeck, type Running } from '../support/harness.js';
import { lastRequest, requests, threadOf } from '../support/slack-view.js';

const STAGING = 'k8s/overlays/staging/kustomization.yaml';

let fd: Running;
beforeEach(async () => {
  fd = await startFlightdeck();
  // build once, deploy many: production takes what staging runs
  await fd.world.github.commit('acme/gitops', { [STAGING]: kustomization('staging', 'v3.0.0', 'v3.0.0') }, { message: 'staging on 3.0.0' });
});
afterEach(async () => {
  await fd.close();
});

/** `/deploy prod v3.0.0 <apps>` by U0DEV, approved by two executives; returns the request as first posted. */
async function approvedProductionDeploy(apps: string) {
  const before = requests(fd.world).length;
  expect((await fd.slash(`prod v3.0.0 ${apps}`, 'U0DEV')).status).toBe(200);
  await fd.settled();
  expect(requests(fd.world)).toHaveLength(before + 1);
  const req = lastRequest(fd.world)!;
  await fd.click('deploy_approve', req.id, 'U0EXEC1');
  await fd.settled();
  expect((await fd.app.store.getRequest(req.id))?.approvals).toHaveLength(1);
  await fd.click('deploy_approve', req.id, 'U0EXEC2');
  return req;
}

const stateOf = async (id: string) => (await fd.app.store.getRequest(id))?.state;
const canaryPhases = () => fd.world.kube.flagger.phases('production', 'backend');

describe('canary', () => {
  it('follows the canary analysis after the sync and succeeds only once Flagger promotes it', async () => {
    const req = await approvedProductionDeploy('backend');
    await fd.settled();
    expect(await stateOf(req.id)).toBe('succeeded');
    expect(threadOf(fd.world, req.ts).some((t) => t.includes('shop-prod is synced'))).toBe(true);
    // The request ended only after Flagger's last phase, not at the sync.
    expect(canaryPhases()).toEqual(['Progressing', 'Promoting', 'Finalising', 'Succeeded']);


    const thread = threadOf(fd.world, req.ts).join('\n');
    expect(thread).toMatch(/Canary backend: canary analysis passed and Flagger promoted it\.\n:rocket: production now runs `v3\.0\.0`\./);
    // one line for the whole analysis, edited in place as the weight steps up (not one post per step)
    const canaryLines = threadOf(fd.world, req.ts).filter((t) => t.includes('Canary backend'));
    expect(canaryLines).toHaveLength(1);
    const edits = fd.world.slack.calls.filter((c) => c.method === 'chat.update' && typeof c.args.text === 'string' && c.args.text.startsWith(':hatching_chick: Canary backend')).map((c) => c.args.text as string);
    expect(edits.some((t) => /analysis progressing: [▰▱]{10} \d+% of max 50% of traffic on the canary/.test(t))).toBe(true);
    expect(thread.indexOf('shop-prod is synced')).toBeLessThan(thread.indexOf('Canary backend'));
    // milestones only: two approvals, commit, sync, synced, the canary (its verdict), the end
    expect(threadOf(fd.world, req.ts)).toHaveLength(7);
    expect(lastRequest(fd.world)!.shown).toMatch(/Deployed v3\.0\.0 to production/);
    const updates = fd.world.slack.calls.filter((c) => c.method === 'chat.update').map((c) => JSON.stringify(c.args.blocks));
    expect(updates.some((u) => u.includes("then Flagger's canary backend analyses it"))).toBe(true);
    const actions = (await fd.app.store.auditOf(req.id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['canary-following', 'canary-verdict', 'succeeded']));
  });

  it('fails the request when the analysis fails, and says git still names the new version', async () => {
    fd.world.kube.flagger.setOutcome('production', 'backend', 'fail');
    const req = await approvedProductionDeploy('backend');
    await fd.settled();
    expect(await stateOf(req.id)).toBe('failed');
    const shown = lastRequest(fd.world)!.shown;
    expect(shown).toMatch(/Flagger's canary analysis failed after 5 failed checks: Canary analysis failed, Deployment scaled to zero\./);
    expect(shown).toMatch(/git still names `v3\.0\.0` for production: revert commit `[0-9a-f]{7}`/);
    expect(threadOf(fd.world, req.ts).some((t) => t.startsWith(':x: Failed: Flagger'))).toBe(true);
    expect((await fd.app.store.auditOf(req.id)).find((a) => a.action === 'canary-verdict')?.detail).toMatchObject({ passed: false, failedChecks: 5 });
  });

  it('does not wait on a canary whose target the deploy does not change', async () => {
    const req = await approvedProductionDeploy('frontend');
    await fd.settled();
    expect(await stateOf(req.id)).toBe('succeeded');
    expect(threadOf(fd.world, req.ts).join('\n')).not.toMatch(/canary/i);
  });

  it('keeps following the canary across a restart, until its promotion', async () => {
    fd.world.kube.flagger.setOutcome('production', 'backend', 'wait-promotion');
    const req = await approvedProductionDeploy('backend');
    await eventually(() => threadOf(fd.world, req.ts).some((t) => /waiting for approval to promote/.test(t)), { what: 'held before promotion', timeoutMs: 15_000 });
    expect(await stateOf(req.id)).toBe('analysing');
    await fd.restart();
    fd.world.kube.flagger.promote('production', 'backend');
    await fd.settled();
    expect(await stateOf(req.id)).toBe('succeeded');
    expect(lastRequest(fd.world)!.shown).toMatch(/Flagger promoted it/);
  });
});
