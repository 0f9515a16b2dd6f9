// End to end: a deploy whose sync failed after its commit (the Kubernetes API did not answer until the deadline) has a way
// out. Its message offers Retry sync; asking for the same deploy again points to it; pressing it syncs the same commit
// once (two presses, one retry), and it is refused, with nothing changed, when the overlay moved on, another delivery
// runs, the environment is locked, or the person may not deploy there.
import { afterEach, describe, expect, it } from 'vitest';
import { kubeFaults } from '../../src/sandbox/faults.js';
import { EXAMPLE_CONFIG, kustomization } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { lastRequest, privateTo, threadOf } from '../support/slack-view.js';

/** staging syncs within 4 s or fails; only U0DEV and U0LEAD may deploy there */
const CONFIG = EXAMPLE_CONFIG.replace(
  'argocd: { application: shop-staging, sync: manual }',
  'argocd: { application: shop-staging, sync: manual, timeout: 4s }\n    deployers: { users: [U0DEV, U0LEAD] }',
);
const STAGING_APP = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications(\/shop-staging)?$/;
const RETRY = 'deploy_retry_sync';

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

const syncsAsked = (run: Running) => run.world.kube.calls.filter((c) => c.method === 'PATCH' && /shop-staging$/.test(c.path) && (c.body as any)?.operation && c.status! < 300);
const stateOf = async (run: Running, id: string) => (await run.app.store.getRequest(id))?.state;
const gitopsLog = (run: Running) => run.world.github.log('acme/gitops');

/** A staging deploy of v3.0.0 committed, whose sync failed because the cluster did not answer until the deadline. */
async function failedAfterCommit(): Promise<{ run: Running; id: string; ts: string }> {
  const run = await startFlightdeck({ config: CONFIG });
  await run.slash('staging v3.0.0', 'U0DEV');
  await run.settled();
  const req = lastRequest(run.world)!;
  run.world.kube.faults.inject({ path: STAGING_APP, times: Infinity, ...kubeFaults.unavailable() });
  await run.click('deploy_approve', req.id, 'U0LEAD');
  await run.settled();
  expect(await stateOf(run, req.id)).toBe('failed');
  run.world.kube.faults.clear();
  return { run, id: req.id, ts: req.ts };
}

describe('Retry sync', () => {
  it('is offered on a sync that failed after the commit, and asking again for the same deploy points to it', async () => {
    const { run, id } = await failedAfterCommit();
    fd = run;
    const message = lastRequest(run.world)!;
    expect(message.shown).toMatch(/Press Retry sync on the request once the cluster answers/);
    expect(message.buttons).toEqual([{ text: 'Retry sync', action_id: RETRY, value: id }]);
    const commits = (await gitopsLog(run)).length;

    await run.slash('staging v3.0.0', 'U0DEV');
    await run.settled();
    const answer = run.answers('U0DEV').at(-1)!;
    expect(answer).toMatch(/staging already runs `v3\.0\.0` \(backend, frontend\) in git\. The sync of <[^|]+\|request fd-[0-9a-f]{10}>, which committed it, failed: press Retry sync on it/);
    expect(answer).toContain(id);
    expect((await gitopsLog(run)).length).toBe(commits);
    expect(lastRequest(run.world)!.id).toBe(id);
  });

  it('syncs the same commit once when pressed, twice at once, and the deploy finishes', async () => {
    const { run, id, ts } = await failedAfterCommit();
    fd = run;
    const commits = (await gitopsLog(run)).length;
    await Promise.all([run.click(RETRY, id, 'U0DEV'), run.click(RETRY, id, 'U0LEAD')]);
    await run.settled();

    expect(await stateOf(run, id)).toBe('succeeded');
    const thread = threadOf(run.world, ts).join('\n');
    expect(thread.match(/pressed Retry sync/g)).toHaveLength(1);
    expect(thread).toMatch(/pressed Retry sync: Argo CD is asked again to apply `[0-9a-f]{7}`/);
    expect(thread).toMatch(/Asked Argo CD to sync shop-staging/);
    expect(thread).toMatch(/staging now runs `v3\.0\.0`/);
    expect(syncsAsked(run)).toHaveLength(1);
    // nothing new in git: the commit written before the failure is the one synced
    expect((await gitopsLog(run)).length).toBe(commits);
    const request = (await run.app.store.getRequest(id))!;
    expect(syncsAsked(run)[0]!.body).toMatchObject({ operation: { sync: { revision: request.commitSha } } });
    // the one who pressed second is told it is no longer failed
    const answers = [...privateTo(run.world, 'U0DEV'), ...privateTo(run.world, 'U0LEAD')].join('\n');
    expect(answers).toMatch(/there is no failed sync to retry/);
    expect(lastRequest(run.world)!.buttons).toEqual([]);
    const audit = (await run.app.store.auditOf(id)).map((e) => e.action);
    expect(audit.filter((a) => a === 'sync-retried')).toHaveLength(1);
    expect(audit.filter((a) => a === 'failed')).toHaveLength(1);
    expect(audit.at(-1)).toBe('succeeded');
  });

  it('after losing sight of a sync it asked for: follows that sync again without asking twice, and its GitHub Deployments go on', async () => {
    fd = await startFlightdeck({ config: CONFIG.replace('  mode: commit', '  mode: commit\n  deployments: true') });
    fd.world.kube.argo.setOutcome('shop-staging', 'hang');
    await fd.slash('staging v3.0.0', 'U0DEV');
    await fd.settled();
    const req = lastRequest(fd.world)!;
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(() => threadOf(fd!.world, req.ts).join('\n')).toMatch(/Asked Argo CD to sync shop-staging/);
    fd.world.kube.faults.inject({ path: STAGING_APP, times: Infinity, ...kubeFaults.unavailable() });
    fd.world.kube.dropWatches();
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('failed');
    expect(lastRequest(fd.world)!.shown).toMatch(/Lost sight of shop-staging/);
    const backend = () => fd!.world.github.deployments('acme/backend');
    expect(backend().map((d) => d.statuses.map((s) => s.state))).toEqual([['in_progress', 'failure']]);

    fd.world.kube.faults.clear();
    fd.world.kube.argo.setOutcome('shop-staging', 'succeed');
    await fd.click(RETRY, req.id, 'U0DEV');
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('succeeded');
    // the operation asked for before is the one followed: no second sync, no second deployment
    expect(syncsAsked(fd)).toHaveLength(1);
    expect(backend().map((d) => d.statuses.map((s) => s.state))).toEqual([['in_progress', 'failure', 'in_progress', 'success']]);
    expect(fd.world.github.deployments('acme/frontend')).toHaveLength(1);
  });

  it('after Argo CD\'s sync operation failed: asks for a new sync of the same commit, and the deploy finishes', async () => {
    fd = await startFlightdeck({ config: CONFIG });
    fd.world.kube.argo.setOutcome('shop-staging', 'fail', { message: 'one or more synchronization tasks completed unsuccessfully' });
    await fd.slash('staging v3.0.0', 'U0DEV');
    await fd.settled();
    const req = lastRequest(fd.world)!;
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('failed');
    expect(lastRequest(fd.world)!.shown).toMatch(/one or more synchronization tasks completed unsuccessfully/);
    expect(lastRequest(fd.world)!.buttons.map((b) => b.text)).toEqual(['Retry sync']);

    fd.world.kube.argo.setOutcome('shop-staging', 'succeed');
    await fd.click(RETRY, req.id, 'U0DEV');
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('succeeded');
    const request = (await fd.app.store.getRequest(req.id))!;
    expect(syncsAsked(fd).map((c) => (c.body as any).operation.sync.revision)).toEqual([request.commitSha, request.commitSha]);
  });

  it('in an auto-synced environment whose automated sync failed: asks Argo CD for a sync of the commit', async () => {
    fd = await startFlightdeck({ config: CONFIG });
    fd.world.kube.argo.setOutcome('shop-dev', 'fail', { message: 'hook failed' });
    await fd.world.github.commit('acme/gitops', { 'k8s/overlays/dev/kustomization.yaml': kustomization('dev', 'v2.9.0', 'v2.9.0') }, { message: 'dev back to 2.9.0' });
    await fd.slash('dev v3.0.0', 'U0DEV');
    await fd.settled();
    const req = lastRequest(fd.world)!;
    expect(await stateOf(fd, req.id)).toBe('failed');
    expect(lastRequest(fd.world)!.shown).toMatch(/hook failed/);
    const patches = () => fd!.world.kube.calls.filter((c) => c.method === 'PATCH' && /shop-dev$/.test(c.path) && (c.body as any)?.operation);
    expect(patches()).toHaveLength(0);

    fd.world.kube.argo.setOutcome('shop-dev', 'succeed');
    await fd.click(RETRY, req.id, 'U0DEV');
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('succeeded');
    const request = (await fd.app.store.getRequest(req.id))!;
    expect(patches().map((c) => (c.body as any).operation.sync.revision)).toEqual([request.commitSha]);
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/Asked Argo CD to sync shop-dev/);
  });

  it('is refused, with nothing changed, when the overlay has a newer commit', async () => {
    const { run, id } = await failedAfterCommit();
    fd = run;
    const overlay = 'k8s/overlays/staging/kustomization.yaml';
    const content = (await run.world.github.readFile('acme/gitops', overlay))!;
    await run.world.github.commit('acme/gitops', { [overlay]: `${content}# a comment\n` }, { message: 'a later edit' });
    await run.click(RETRY, id, 'U0DEV');
    await run.settled();
    expect(privateTo(run.world, 'U0DEV').join('\n')).toMatch(/The overlay of staging changed after commit `[0-9a-f]{7}` \(newest: `[0-9a-f]{7}`\): syncing it would apply an older state, so the sync was not retried/);
    expect(await stateOf(run, id)).toBe('failed');
    expect(syncsAsked(run)).toHaveLength(0);
  });

  it('is refused while another delivery to the environment is under way', async () => {
    const { run, id } = await failedAfterCommit();
    fd = run;
    // a rollback (no approval needed in staging) whose sync hangs
    run.world.kube.argo.setOutcome('shop-staging', 'hang');
    await run.slash('staging', 'U0LEAD', { command: '/rollback' });
    await expect.poll(async () => (await run.app.store.listRequests(['syncing'])).length).toBe(1);
    await run.click(RETRY, id, 'U0DEV');
    await expect.poll(() => privateTo(run.world, 'U0DEV').join('\n')).toMatch(/Another delivery to staging is under way \(`v2\.9\.0`, <[^|]+\|request fd-[0-9a-f]{10}>\); the sync was not retried/);
    expect(await stateOf(run, id)).toBe('failed');
  });

  it('is refused while the environment is locked, and for someone who may not deploy there', async () => {
    const { run, id } = await failedAfterCommit();
    fd = run;
    await run.click(RETRY, id, 'U0OUTSIDER');
    await run.settled();
    expect(privateTo(run.world, 'U0OUTSIDER').join('\n')).toMatch(/You may not deploy to staging: it is limited to its deployers/);

    await run.slash('lock staging for 1h freeze', 'U0LEAD');
    await run.settled();
    await run.click(RETRY, id, 'U0DEV');
    await run.settled();
    expect(privateTo(run.world, 'U0DEV').join('\n')).toMatch(/staging is locked by <@U0LEAD>/);
    expect(await stateOf(run, id)).toBe('failed');
    expect(syncsAsked(run)).toHaveLength(0);
  });

  it('is not offered, and refused, for a request that failed before its commit', async () => {
    fd = await startFlightdeck({ config: CONFIG });
    await fd.slash('staging v3.0.0', 'U0DEV');
    await fd.settled();
    const req = lastRequest(fd.world)!;
    // someone moves staging before the approval: the request ends "changed since", nothing committed
    const overlay = 'k8s/overlays/staging/kustomization.yaml';
    const content = (await fd.world.github.readFile('acme/gitops', overlay))!;
    await fd.world.github.commit('acme/gitops', { [overlay]: content.replaceAll('v2.9.0', 'v2.9.1') }, { message: 'hotfix' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('failed');
    expect(lastRequest(fd.world)!.buttons).toEqual([]);
    await fd.click(RETRY, req.id, 'U0DEV');
    await fd.settled();
    expect(privateTo(fd.world, 'U0DEV').join('\n')).toMatch(/Only a sync that failed after the commit can be retried; this request failed before that \(env-moved\)/);
    expect(syncsAsked(fd)).toHaveLength(0);
  });
});
