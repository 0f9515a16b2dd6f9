// End to end: writes whose answers were lost are recognised as our own afterwards (the run's trailer in git, the revision
// on the Argo CD operation), and a delivery stopped in `approved` or `committed` resumes without a second commit or sync.
import { afterEach, describe, expect, it } from 'vitest';
import { startFlightdeck, type Running } from '../support/harness.js';
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
