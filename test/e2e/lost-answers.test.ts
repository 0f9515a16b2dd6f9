// End to end: writes whose answers were lost are recognised as our own afterwards (the run's trailer in git, the revision
// on the Argo CD operation, a GitHub Deployment's ref, environment and description), also for an app versioned by commit,
// and a delivery stopped in `approved` or `committed` resumes without a second commit, sync or deployment.
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { gitopsCommits, overlayPath, seedWorker, shortSha, withDeployments, WORKER_CONFIG, workerTag, workerTagIn } from '../support/commit-app.js';
import { lastRequest, threadOf } from '../support/slack-view.js';

const STAGING_FILE = '/repos/acme/gitops/contents/k8s/overlays/staging/kustomization.yaml';
const STAGING_APP = /\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications\/shop-staging$/;

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

async function requested(run: Running) {
  await run.slash('staging v3.0.0', 'U0DEV');
  await run.settled();
  return lastRequest(run.world)!;
}

const deploysOfStaging = async (run: Running) => (await run.world.github.log('acme/gitops')).filter((c) => c.message.startsWith('Deploy staging'));
const syncsAccepted = (run: Running) => run.world.kube.calls.filter((c) => c.method === 'PATCH' && STAGING_APP.test(c.path) && (c.body as any)?.operation && c.status === 200);

describe('lost answers', () => {
  it('a commit applied whose answer was lost is found by its trailer: one commit, and the deploy succeeds', async () => {
    fd = await startFlightdeck();
    const req = await requested(fd);
    fd.world.github.faults.inject({ method: 'PUT', path: STAGING_FILE, kind: 'lost' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.github.faults.injected.map((f) => f.kind)).toEqual(['lost']);
    expect(await deploysOfStaging(fd)).toHaveLength(1);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect((await fd.app.store.auditOf(req.id)).map((a) => a.action)).toContain('commit-found');
  });

  it('a sync request applied whose answer was lost is found by its revision: one operation, and the deploy succeeds', async () => {
    fd = await startFlightdeck();
    const req = await requested(fd);
    fd.world.kube.faults.inject({ method: 'PATCH', path: STAGING_APP, kind: 'lost' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.kube.faults.injected.map((f) => f.kind)).toEqual(['lost']);
    // the one write that asked for a sync was the lost one: none was sent again
    expect(fd.world.kube.calls.filter((c) => c.method === 'PATCH' && STAGING_APP.test(c.path) && (c.body as any)?.operation)).toHaveLength(1);
    expect(syncsAccepted(fd)).toHaveLength(0);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/Asked Argo CD to sync shop-staging/);
  });
});

describe('resume after a restart', () => {
  it('from approved: the commit that never happened is written once', async () => {
    fd = await startFlightdeck();
    const req = await requested(fd);
    fd.world.github.faults.inject({ method: 'PUT', path: STAGING_FILE, kind: 'hang' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(() => fd!.world.github.faults.injected.length).toBe(1);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('approved');
    await fd.restart();
    fd.world.github.faults.clear();
    await fd.settled();
    expect(await deploysOfStaging(fd)).toHaveLength(1);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
  });

  it('from approved: a commit written before the stop is found, not written twice', async () => {
    fd = await startFlightdeck();
    const req = await requested(fd);
    // the write is applied but its answer is lost, and the process stops while it reads the overlay again to find out
    fd.world.github.faults.inject({ method: 'PUT', path: STAGING_FILE, kind: 'lost' });
    fd.world.github.faults.inject({ method: 'GET', path: STAGING_FILE, kind: 'hang' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(async () => (await deploysOfStaging(fd!)).length).toBe(1);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('approved');
    await expect.poll(() => fd!.world.github.faults.injected.length).toBe(2);
    await fd.restart();
    fd.world.github.faults.clear();
    await fd.settled();
    expect(await deploysOfStaging(fd)).toHaveLength(1);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect((await fd.app.store.auditOf(req.id)).map((a) => a.action)).toContain('commit-found');
  });

  it('from committed: the sync is asked for once', async () => {
    fd = await startFlightdeck();
    const req = await requested(fd);
    fd.world.kube.faults.inject({ method: 'PATCH', path: STAGING_APP, kind: 'hang' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(() => fd!.world.kube.faults.injected.length).toBe(1);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('committed');
    await fd.restart();
    fd.world.kube.faults.clear();
    await fd.settled();
    expect(syncsAccepted(fd)).toHaveLength(1);
    expect(await deploysOfStaging(fd)).toHaveLength(1);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
  });
});

describe('lost answers for an app versioned by commit', () => {
  it('the overlay write for a commit-tagged image, answer lost, is found by its trailer: one commit, deployed', async () => {
    fd = await startFlightdeck({ config: WORKER_CONFIG });
    const { next } = await seedWorker(fd.world);
    fd.world.github.faults.inject({ method: 'PUT', path: `/repos/acme/gitops/contents/${overlayPath('dev')}`, kind: 'lost' });
    // dev needs no approval: the deploy goes at once
    await fd.slash(`dev ${shortSha(next)} worker`, 'U0DEV');
    await fd.settled();
    expect(fd.world.github.faults.injected.map((f) => f.kind)).toEqual(['lost']);
    const req = lastRequest(fd.world)!;
    expect(await gitopsCommits(fd.world, 'Deploy dev: worker')).toHaveLength(1);
    expect(await workerTagIn(fd.world, 'dev')).toBe(workerTag(next));
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect((await fd.app.store.auditOf(req.id)).map((a) => a.action)).toContain('commit-found');
    const thread = threadOf(fd.world, req.ts).join('\n');
    expect(thread).not.toMatch(/changed since this was requested|Failed:/);
    expect(thread).toMatch(new RegExp(`dev now runs \`${shortSha(next)}\``));
  });

  it('an approved commit version typed in capitals with its prefix, answer lost: found, one commit, deployed', async () => {
    fd = await startFlightdeck({ config: WORKER_CONFIG });
    const { next } = await seedWorker(fd.world, { devAt: 'next' });
    await fd.slash(`staging sha-${shortSha(next).toUpperCase()} worker`, 'U0DEV');
    await fd.settled();
    const req = lastRequest(fd.world)!;
    expect(req.shown).toContain('Retry failed jobs');
    fd.world.github.faults.inject({ method: 'PUT', path: `/repos/acme/gitops/contents/${overlayPath('staging')}`, kind: 'lost' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.github.faults.injected.map((f) => f.kind)).toEqual(['lost']);
    const commits = await gitopsCommits(fd.world, 'Deploy staging: worker');
    expect(commits).toHaveLength(1);
    expect(await workerTagIn(fd.world, 'staging')).toBe(workerTag(next));
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect((await fd.app.store.auditOf(req.id)).map((a) => a.action)).toContain('commit-found');
    // Argo CD was asked once, for the commit that was found
    expect(syncsAccepted(fd).map((c) => (c.body as any).operation.sync.revision)).toEqual([commits[0]!.sha]);
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/staging now runs/);
  });
});

describe('lost answers on GitHub Deployments', () => {
  const states = (run: Running, repo: string) => run.world.github.deployments(repo).map((d) => d.statuses.map((s) => s.state));

  it('a deployment created whose answer was lost is recognised, not created twice, and closed with the result', async () => {
    fd = await startFlightdeck({ config: withDeployments(EXAMPLE_CONFIG) });
    const req = await requested(fd);
    fd.world.github.faults.inject({ method: 'POST', path: '/repos/acme/backend/deployments', kind: 'lost' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.github.faults.injected.map((f) => [f.method, f.path, f.kind])).toEqual([['POST', '/repos/acme/backend/deployments', 'lost']]);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/staging now runs `v3\.0\.0`/);
    for (const repo of ['acme/backend', 'acme/frontend']) expect(states(fd, repo), repo).toEqual([['in_progress', 'success']]);
  });

  it('for an app versioned by commit: one deployment of the commit, recognised after its lost answer', async () => {
    fd = await startFlightdeck({ config: withDeployments(WORKER_CONFIG) });
    const { next } = await seedWorker(fd.world, { devAt: 'next' });
    await fd.slash(`staging ${shortSha(next)} worker`, 'U0DEV');
    await fd.settled();
    const req = lastRequest(fd.world)!;
    fd.world.github.faults.inject({ method: 'POST', path: '/repos/acme/worker/deployments', kind: 'lost' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.github.faults.injected.map((f) => f.kind)).toEqual(['lost']);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    const deployments = fd.world.github.deployments('acme/worker');
    expect(deployments.map((d) => [d.ref, d.environment])).toEqual([[next, 'staging']]);
    expect(states(fd, 'acme/worker')).toEqual([['in_progress', 'success']]);
  });

  it('a restart while the sync is followed creates no second deployment; the first is closed with the result', async () => {
    fd = await startFlightdeck({ config: withDeployments(EXAMPLE_CONFIG) });
    fd.world.kube.argo.setOutcome('shop-staging', 'hang');
    const req = await requested(fd);
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(async () => (await fd!.app.store.auditOf(req.id)).filter((a) => a.action === 'deployment-created').length).toBe(2);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('syncing');
    await fd.restart();
    fd.world.kube.argo.setOutcome('shop-staging', 'succeed');
    await fd.settled();
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    for (const repo of ['acme/backend', 'acme/frontend']) expect(states(fd, repo), repo).toEqual([['in_progress', 'success']]);
  });
});
