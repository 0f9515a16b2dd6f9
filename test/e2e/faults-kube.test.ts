// End to end: the Kubernetes API fails during a deploy's sync. Down when the sync is asked for: the thread says so, the sync is
// asked for once when it answers again, or the run fails with the reason at its deadline. Down while following: the thread
// says so and the run fails at its deadline saying the cluster was not there. A dropped watch, or one answered 410 Gone, resumes and the deploy finishes.
// The same for an app versioned by commit with GitHub Deployments on: its deployment is closed with the outcome.
import { afterEach, describe, expect, it } from 'vitest';
import { kubeFaults } from '../../src/sandbox/faults.js';
import { EXAMPLE_CONFIG } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { gitopsCommits, seedWorker, shortSha, withDeployments, withWorker, workerTag, workerTagIn } from '../support/commit-app.js';
import { lastRequest, threadOf } from '../support/slack-view.js';

/** staging follows its sync for 4 s at most, so a deadline is reached within the test */
const CONFIG = EXAMPLE_CONFIG.replace('argocd: { application: shop-staging, sync: manual }', 'argocd: { application: shop-staging, sync: manual, timeout: 4s }');
const STAGING_APP = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications(\/shop-staging)?$/;
const WATCH = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications$/;

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

async function pending(run: Running) {
  await run.slash('staging v3.0.0', 'U0DEV');
  await run.settled();
  return lastRequest(run.world)!;
}

const syncsAsked = (run: Running) => run.world.kube.calls.filter((c) => c.method === 'PATCH' && /shop-staging$/.test(c.path) && (c.body as any)?.operation && c.status! < 300);
const stateOf = async (run: Running, id: string) => (await run.app.store.getRequest(id))?.state;
const deploysOfStaging = async (run: Running) => (await run.world.github.log('acme/gitops')).filter((c) => c.message.startsWith('Deploy staging'));

describe('Kubernetes API down', () => {
  it('when the sync is asked for: the thread says so, and the sync is asked for once when it answers again', async () => {
    fd = await startFlightdeck({ config: CONFIG });
    const req = await pending(fd);
    fd.world.kube.faults.inject({ path: STAGING_APP, times: 3, ...kubeFaults.unavailable() });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.kube.faults.injected).toHaveLength(3);
    const thread = threadOf(fd.world, req.ts).join('\n');
    expect(thread).toMatch(/The Kubernetes API does not answer for shop-staging \(HTTP 503\); retrying for up to [34]s/);
    expect(thread.match(/does not answer/g)).toHaveLength(1);
    expect(syncsAsked(fd)).toHaveLength(1);
    expect(await stateOf(fd, req.id)).toBe('succeeded');
  });

  it('until the deadline: the run fails with the reason, and says the commit is in git but was not synced', async () => {
    fd = await startFlightdeck({ config: CONFIG });
    const req = await pending(fd);
    fd.world.kube.faults.inject({ path: STAGING_APP, times: Infinity, ...kubeFaults.unavailable() });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('failed');
    const thread = threadOf(fd.world, req.ts).join('\n');
    expect(thread).toMatch(/Failed: The Kubernetes API did not answer for shop-staging within 4s \(HTTP 503\); the commit is in git but Argo CD was not asked to sync it/);
    expect(thread).not.toMatch(/Something failed/);
    expect(lastRequest(fd.world)!.shown).toMatch(/did not answer for shop-staging/);
    expect(syncsAsked(fd)).toHaveLength(0);
    expect(await deploysOfStaging(fd)).toHaveLength(1);
  });

  it('while following the sync: the run fails at its deadline saying the cluster did not answer', async () => {
    fd = await startFlightdeck({ config: CONFIG });
    fd.world.kube.argo.setOutcome('shop-staging', 'hang');
    const req = await pending(fd);
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(() => threadOf(fd!.world, req.ts).join('\n')).toMatch(/Asked Argo CD to sync shop-staging/);
    fd.world.kube.faults.inject({ path: STAGING_APP, times: Infinity, ...kubeFaults.unavailable() });
    fd.world.kube.dropWatches();
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('failed');
    const thread = threadOf(fd.world, req.ts).join('\n');
    // said while it waited, once, and then as the reason it failed
    // the first trouble seen is the dropped watch or the 503 of its re-read, whichever comes first
    expect(thread).toMatch(/The Kubernetes API does not answer for shop-staging \((HTTP 503|Premature close)\); retrying for up to [1-4]s/);
    expect(thread.match(/does not answer/g)).toHaveLength(1);
    expect(thread).toMatch(/Lost sight of shop-staging: the Kubernetes API did not answer within 4s \(HTTP 503\)\. The sync was asked for/);
    expect(syncsAsked(fd)).toHaveLength(1);
  });
});

describe('watches that end during a sync', () => {
  it('a dropped watch resumes and the deploy finishes', async () => {
    fd = await startFlightdeck({ config: CONFIG });
    fd.world.kube.argo.setOutcome('shop-staging', 'hang');
    const req = await pending(fd);
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(() => fd!.world.kube.watchCount()).toBeGreaterThan(0);
    await expect.poll(() => threadOf(fd!.world, req.ts).join('\n')).toMatch(/Asked Argo CD to sync/);
    expect(fd.world.kube.dropWatches()).toBeGreaterThan(0);
    fd.world.kube.argo.setOutcome('shop-staging', 'succeed');
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('succeeded');
    expect(syncsAsked(fd)).toHaveLength(1);
  });

  it('a watch answered 410 Gone re-reads the Application and the deploy finishes', async () => {
    fd = await startFlightdeck({ config: CONFIG });
    fd.world.kube.argo.setOutcome('shop-staging', 'hang');
    const req = await pending(fd);
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(() => threadOf(fd!.world, req.ts).join('\n')).toMatch(/Asked Argo CD to sync/);
    await expect.poll(() => fd!.world.kube.watchCount()).toBeGreaterThan(0);
    // the history the watch would resume from is gone: the next watch is answered 410, as a real API server does
    fd.world.kube.compact();
    fd.world.kube.faults.inject({ method: 'GET', path: WATCH, ...kubeFaults.gone() });
    fd.world.kube.dropWatches();
    fd.world.kube.argo.setOutcome('shop-staging', 'succeed');
    await fd.settled();
    expect(fd.world.kube.faults.injected.map((f) => f.status)).toEqual([410]);
    expect(await stateOf(fd, req.id)).toBe('succeeded');
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/synced to `[0-9a-f]{7}` and healthy/);
  });
});

describe('Kubernetes API down during the deploy of an app versioned by commit, with GitHub Deployments', () => {
  const WORKER = withDeployments(withWorker(CONFIG));

  async function pendingWorker(run: Running) {
    const { next } = await seedWorker(run.world, { devAt: 'next' });
    await run.slash(`staging ${shortSha(next)} worker`, 'U0DEV');
    await run.settled();
    return { req: lastRequest(run.world)!, next };
  }

  it('when the sync is asked for: asked once for the commit when the API answers again; the deployment of the commit is closed as success', async () => {
    fd = await startFlightdeck({ config: WORKER });
    const { req, next } = await pendingWorker(fd);
    fd.world.kube.faults.inject({ path: STAGING_APP, times: 3, ...kubeFaults.unavailable() });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.kube.faults.injected).toHaveLength(3);
    expect(await stateOf(fd, req.id)).toBe('succeeded');
    const [commit, ...others] = await gitopsCommits(fd.world, 'Deploy staging: worker');
    expect(others).toEqual([]);
    expect(syncsAsked(fd).map((c) => (c.body as any).operation.sync.revision)).toEqual([commit!.sha]);
    expect(await workerTagIn(fd.world, 'staging')).toBe(workerTag(next));
    const thread = threadOf(fd.world, req.ts).join('\n');
    expect(thread.match(/does not answer/g)).toHaveLength(1);
    expect(thread).toMatch(new RegExp(`staging now runs \`${shortSha(next)}\``));
    expect(fd.world.github.deployments('acme/worker').map((d) => [d.ref, d.statuses.map((s) => s.state)])).toEqual([[next, ['in_progress', 'success']]]);
  });

  it('until the deadline: the run fails with the reason; no deployment is left in progress', async () => {
    fd = await startFlightdeck({ config: WORKER });
    const { req } = await pendingWorker(fd);
    fd.world.kube.faults.inject({ path: STAGING_APP, times: Infinity, ...kubeFaults.unavailable() });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('failed');
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/Failed: The Kubernetes API did not answer for shop-staging within 4s \(HTTP 503\)/);
    expect(syncsAsked(fd)).toHaveLength(0);
    expect(await gitopsCommits(fd.world, 'Deploy staging: worker')).toHaveLength(1);
    // Argo CD was never asked, so no deployment was opened (one would be closed as failure, never left in progress)
    for (const deployment of fd.world.github.deployments('acme/worker')) expect(deployment.statuses.at(-1)?.state).toBe('failure');
  });

  it('while following the sync: the run fails at its deadline, and the deployment of the commit is closed as failure saying why', async () => {
    fd = await startFlightdeck({ config: WORKER });
    fd.world.kube.argo.setOutcome('shop-staging', 'hang');
    const { req, next } = await pendingWorker(fd);
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(() => fd!.world.github.deployments('acme/worker').flatMap((d) => d.statuses.map((s) => s.state))).toEqual(['in_progress']);
    fd.world.kube.faults.inject({ path: STAGING_APP, times: Infinity, ...kubeFaults.unavailable() });
    fd.world.kube.dropWatches();
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('failed');
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/Lost sight of shop-staging: the Kubernetes API did not answer within 4s/);
    expect(syncsAsked(fd)).toHaveLength(1);
    const [deployment, ...others] = fd.world.github.deployments('acme/worker');
    expect(others).toEqual([]);
    expect(deployment!.ref).toBe(next);
    expect(deployment!.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(deployment!.statuses[1]!.description).toMatch(/^Lost sight of shop-staging: the Kubernetes API did not answer within 4s/);
  });
});
