// End to end: /rollback goes back in git (to the previous version or a named one it ran), under its own approval policy,
// also during locks; with a canary still analysing, it aborts the canary through Flagger's rollback gate instead.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kustomization } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { buttonsOf, lastRequest, privateTo, requests, threadOf } from '../support/slack-view.js';

const STAGING = 'k8s/overlays/staging/kustomization.yaml';
const PROD = 'k8s/overlays/production/kustomization.yaml';

let fd: Running;
beforeEach(async () => {
  fd = await startFlightdeck();
});
afterEach(async () => {
  await fd.close();
});

const gitops = () => fd.world.github.log('acme/gitops');

/** Puts an overlay on versions by a commit, as a deploy (or CI) would have. */
async function ran(path: string, env: string, backend: string, frontend: string) {
  await fd.world.github.commit('acme/gitops', { [path]: kustomization(env, backend, frontend) }, { message: `${env}: ${backend}/${frontend}` });
}

async function rollback(text: string, user = 'U0DEV') {
  const res = await fd.slash(text, user, { command: '/rollback' });
  await fd.settled();
  return res;
}

describe('/rollback', () => {
  it('goes back to the version the environment ran before, at once where no approval is needed, and follows the sync', async () => {
    await ran(STAGING, 'staging', 'v3.0.0', 'v3.0.0');
    await rollback('staging');
    const req = lastRequest(fd.world)!;
    expect(req.buttons).toHaveLength(0);
    const commit = (await gitops())[0]!;
    expect(commit.message.split('\n')[0]).toBe('rollback(staging): backend v3.0.0 -> v2.9.0, frontend v3.0.0 -> v2.9.0');
    expect(commit.message).toMatch(/Requested-by: U0DEV/);
    expect(commit.message).toMatch(/Approved-by: none required/);
    expect(commit.message).toContain(`Flightdeck-run: ${req.id}`);
    expect(await fd.world.github.readFile('acme/gitops', STAGING)).toBe(kustomization('staging', 'v2.9.0', 'v2.9.0'));
    expect(fd.world.kube.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'shop-staging')?.status?.sync?.revision).toBe(commit.sha);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect(lastRequest(fd.world)!.shown).toMatch(/Rolled back staging to v2\.9\.0/);
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/staging now runs `v2\.9\.0`/);
  });

  it('skips commits that did not change an app, and rolls back only the apps named to a version they ran', async () => {
    await ran(STAGING, 'staging', 'v3.0.0', 'v2.9.0');
    await ran(STAGING, 'staging', 'v3.0.0', 'v3.0.0');
    await rollback('staging v2.9.0 backend');
    const commit = (await gitops())[0]!;
    expect(commit.message.split('\n')[0]).toBe('rollback(staging): backend v3.0.0 -> v2.9.0');
    expect(await fd.world.github.readFile('acme/gitops', STAGING)).toBe(kustomization('staging', 'v2.9.0', 'v3.0.0'));
    // frontend's previous version skips the commit that changed only backend
    await rollback('staging frontend');
    expect((await gitops())[0]!.message.split('\n')[0]).toBe('rollback(staging): frontend v3.0.0 -> v2.9.0');
  });

  it('refuses, privately and changing nothing, a version never run, nothing to go back to, and bad input', async () => {
    const head = await fd.world.github.headSha('acme/gitops');
    const never = await rollback('staging v1.0.0');
    expect(never.status).toBe(200);
    expect(fd.answers('U0DEV').join('\n')).toMatch(/staging never ran `v1\.0\.0` for backend/);
    await rollback('staging');
    expect(fd.answers('U0DEV').join('\n')).toMatch(/Nothing to roll back to in staging/);
    const acked = async (text: string) => JSON.parse((await fd.slash(text, 'U0DEV', { command: '/rollback' })).body).text as string;
    expect(await acked('qa')).toMatch(/Unknown environment "qa"\. Known environments: dev, staging, production \(prod\)/);
    expect(await acked('staging v2.9.0 payments')).toMatch(/Unknown app "payments"/);
    expect(await acked('staging v2.9.0:latest!')).toMatch(/not a valid image tag/);
    expect(await acked('')).toMatch(/Which environment should go back\?/);
    await fd.settled();
    expect(await fd.world.github.headSha('acme/gitops')).toBe(head);
    expect(requests(fd.world)).toHaveLength(0);
  });

  it('is allowed while the environment is locked', async () => {
    await ran(STAGING, 'staging', 'v3.0.0', 'v3.0.0');
    await fd.slash('lock staging hold everything', 'U0LEAD');
    await fd.settled();
    await rollback('staging');
    expect((await gitops())[0]!.message).toMatch(/^rollback\(staging\)/);
  });

  it('needs the rollback approvers in production, never the requester', async () => {
    await ran(PROD, 'production', 'v3.0.0', 'v2.9.0');
    await rollback('prod', 'U0ONCALL');
    const req = lastRequest(fd.world)!;
    expect(req.shown).toMatch(/Roll back production to v2\.9\.0/);
    expect(req.buttons.map((b) => b.text)).toEqual(['Approve', 'Reject']);
    await fd.click('deploy_approve', req.id, 'U0ONCALL');
    await fd.settled();
    expect(privateTo(fd.world, 'U0ONCALL').join('\n')).toMatch(/You requested this rollback; someone else must approve it/);
    await fd.click('deploy_approve', req.id, 'U0DEV');
    await fd.settled();
    expect(privateTo(fd.world, 'U0DEV').join('\n')).toMatch(/not an approver of rollbacks to production/);
    await fd.click('deploy_approve', req.id, 'U0EXEC1');
    await fd.settled();
    expect((await gitops())[0]!.message.split('\n')[0]).toBe('rollback(production): backend v3.0.0 -> v2.9.0');
    expect((await gitops())[0]!.message).toMatch(/Approved-by: U0EXEC1/);
  });

  it('aborts a canary still analysing through its rollback gate instead of writing to git, then offers the revert', async () => {
    const hooks = [
      { name: 'promotion', type: 'confirm-promotion', url: `${fd.url}/flagger/gate/check` },
      { name: 'abort', type: 'rollback', url: `${fd.url}/flagger/rollback/check` },
    ];
    fd.world.kube.flagger.seedCanary({ name: 'backend', namespace: 'production', target: { kind: 'Deployment', name: 'backend' }, application: { name: 'shop-prod' }, analysis: { webhooks: hooks } });
    await ran(STAGING, 'staging', 'v3.0.0', 'v3.0.0');
    await fd.slash('prod v3.0.0 backend', 'U0DEV');
    await fd.settled();
    const deploy = lastRequest(fd.world)!;
    await fd.click('deploy_approve', deploy.id, 'U0EXEC1');
    await fd.click('deploy_approve', deploy.id, 'U0EXEC2');
    // the deploy's canary waits at confirm-promotion, and its thread offers the canary buttons
    const phase = () => fd.world.kube.get('flagger.app/v1beta1', 'Canary', 'production', 'backend')?.status?.phase;
    await expect.poll(phase, { timeout: 15_000 }).toBe('WaitingPromotion');
    await expect.poll(() => fd.world.slack.messages('C0DEPLOYS').filter((m) => m.thread_ts === deploy.ts).flatMap((m) => buttonsOf(m.blocks)).map((b) => b.text), { timeout: 10_000 }).toEqual(['Promote canary', 'Abort canary']);
    expect((await fd.app.store.getRequest(deploy.id))?.state).toBe('analysing');
    const commitsBefore = (await gitops()).length;

    await fd.slash('prod', 'U0DEV', { command: '/rollback' });
    await expect.poll(() => requests(fd.world).length, { timeout: 10_000 }).toBe(2);
    const back = lastRequest(fd.world)!;
    await fd.click('deploy_approve', back.id, 'U0ONCALL');
    await expect.poll(async () => (await fd.app.store.getRequest(back.id))?.state, { timeout: 15_000 }).toBe('succeeded');
    expect(phase()).toBe('Failed');
    expect((await gitops()).length).toBe(commitsBefore);
    expect(await fd.world.github.readFile('acme/gitops', PROD)).toBe(kustomization('production', 'v3.0.0', 'v2.9.0'));
    await expect.poll(() => threadOf(fd.world, back.ts).join('\n'), { timeout: 5_000 }).toMatch(/Git still names `v3\.0\.0` for production/);
    expect(threadOf(fd.world, back.ts).join('\n')).toMatch(/opened Flightdeck's rollback gate/);
    const revert = fd.world.slack.messages('C0DEPLOYS').filter((m) => m.thread_ts === back.ts).flatMap((m) => buttonsOf(m.blocks)).find((b) => b.text === 'Revert in git')!;
    expect(revert.value).toBe(back.id);
    // the deploy that Flagger failed says so
    await expect.poll(async () => (await fd.app.store.getRequest(deploy.id))?.state, { timeout: 10_000 }).toBe('failed');

    await fd.click('rollback_revert', revert.value, 'U0ONCALL');
    await expect.poll(() => requests(fd.world).length, { timeout: 10_000 }).toBe(3);
    const again = lastRequest(fd.world)!;
    await fd.click('deploy_approve', again.id, 'U0EXEC1');
    // the revert in git makes Flagger analyse the previous version; the approved rollback opens its gate itself
    await expect.poll(async () => (await fd.app.store.getRequest(again.id))?.state, { timeout: 20_000 }).toBe('succeeded');
    expect((await gitops())[0]!.message.split('\n')[0]).toBe('rollback(production): backend v3.0.0 -> v2.9.0');
    expect(threadOf(fd.world, again.ts).join('\n')).toMatch(/the rollback was approved, so Flightdeck opened its confirm-promotion gate/);
  });
});
