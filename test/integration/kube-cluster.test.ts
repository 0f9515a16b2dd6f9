// The client-node-backed Cluster adapter against the Kubernetes fake and its Argo CD simulator.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/adapters/kube/cluster.js';
import { contextClients, loadKubeConfig } from '../../src/adapters/kube/kubeconfig.js';
import type { ArgoAppRef, ArgoAppState } from '../../src/ports.js';
import { startKubeFake, type KubeFake } from '../../src/sandbox/kube/server.js';

const APP = ['argoproj.io/v1alpha1', 'Application', 'argocd'] as const;
const dir = mkdtempSync(join(tmpdir(), 'flightdeck-kube-'));
let seq = 0;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('KubeCluster', () => {
  let fake: KubeFake;
  let cluster: KubeCluster;
  let requests: Array<{ operation: string; ok: boolean }>;
  let ref: ArgoAppRef;
  const stored = (name = ref.name): any => fake.get(...APP, name);

  beforeAll(async () => {
    fake = await startKubeFake();
    const path = join(dir, 'kubeconfig');
    writeFileSync(path, fake.kubeconfig());
    cluster = new KubeCluster(loadKubeConfig(path, {}), {
      onRequest: (operation, _seconds, ok) => requests.push({ operation, ok }),
      watchBackoff: { initialMs: 20, maxMs: 100 },
    });
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    requests = [];
    ref = { name: `app-${++seq}`, namespace: 'argocd' };
    fake.argo.seedApplication({ name: ref.name, path: 'k8s/overlays/staging', revision: 'rev1' });
  });
  afterEach(async () => {
    fake.argo.stop();
    fake.onCall = undefined;
    await expect.poll(() => fake.watchCount()).toBe(0);
  });

  /** Waits until the n-th watch request for the current app is open. */
  async function watchOpen(n: number): Promise<void> {
    await expect.poll(() => fake.calls.filter((c) => c.query?.includes('watch=true') && c.query.includes(ref.name)).length).toBe(n);
    await expect.poll(() => fake.watchCount()).toBe(1);
  }

  /** Follows the app until `until` holds; returns every state seen. */
  async function follow(until: (s: ArgoAppState) => boolean, during?: () => void | Promise<void>): Promise<ArgoAppState[]> {
    const seen: ArgoAppState[] = [];
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), 5_000);
    const watching = cluster.watchApplication(ref, (s) => (seen.push(s), until(s)), ctrl.signal);
    await during?.();
    await watching;
    clearTimeout(timer);
    if (!until(seen.at(-1)!)) throw new Error(`condition not reached; seen ${JSON.stringify(seen.map((s) => [s.syncStatus, s.health, s.operationPhase]))}`);
    return seen;
  }

  it('reads an Application, and null for one that does not exist', async () => {
    expect(await cluster.getApplication(ref)).toEqual({ syncStatus: 'Synced', syncRevision: 'rev1', health: 'Healthy', operationPending: false, operationPhase: null, operationMessage: null, operationRevision: null, operationUser: null, resourceVersion: expect.any(String) });
    expect(await cluster.getApplication({ name: 'nope', namespace: 'argocd' })).toBeNull();
    expect(requests).toEqual([{ operation: 'GET applications', ok: true }, { operation: 'GET applications', ok: true }]);
  });

  it('requestSync merge-patches the refresh annotation and the operation in one write, based on the resourceVersion read', async () => {
    const result = await cluster.requestSync(ref, { revision: 'rev2', username: 'U0DEV', info: [{ name: 'flightdeck-run', value: 'r1' }] });
    expect(result).toEqual({ started: true });
    const patches = fake.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/applications/${ref.name}`));
    expect(patches.map((p) => p.contentType)).toEqual(['application/merge-patch+json']);
    expect((patches[0]!.body as any).metadata.annotations).toEqual({ 'argocd.argoproj.io/refresh': 'normal' });
    const app = stored();
    expect((patches[0]!.body as any).metadata.resourceVersion).toBe(String(Number(app.metadata.resourceVersion) - 1));
    expect(app.metadata.annotations['argocd.argoproj.io/refresh']).toBe('normal');
    expect(app.operation).toEqual({ initiatedBy: { username: 'U0DEV', automated: false }, info: [{ name: 'flightdeck-run', value: 'r1' }], sync: { revision: 'rev2', syncStrategy: { hook: {} } }, retry: {} });
    expect(fake.argo.refreshes(ref.name)).toEqual(['normal']);
    expect(requests.map((r) => r.operation)).toEqual(['GET applications', 'PATCH applications']);
    const state = await cluster.getApplication(ref);
    expect(state).toMatchObject({ operationPending: true, operationRevision: 'rev2' });
  });

  it('requestSync based on a state read earlier makes one write and no read', async () => {
    const basis = await cluster.getApplication(ref);
    requests.length = 0;
    expect(await cluster.requestSync(ref, { revision: 'rev2', username: 'U0DEV', info: [] }, basis)).toEqual({ started: true });
    expect(requests.map((r) => r.operation)).toEqual(['PATCH applications']);
    expect(stored().operation.sync.revision).toBe('rev2');
    // a basis that went stale meanwhile is a 409: read again, and still never overwrite
    fake.patch(...APP, ref.name, { operation: null });
    const stale = await cluster.getApplication({ ...ref });
    fake.patch(...APP, ref.name, { metadata: { labels: { moved: 'on' } } });
    requests.length = 0;
    expect(await cluster.requestSync(ref, { revision: 'rev3', username: 'U0DEV', info: [] }, stale)).toEqual({ started: true });
    expect(requests.map((r) => `${r.operation} ${r.ok}`)).toEqual(['PATCH applications true', 'GET applications true', 'PATCH applications true']);
  });

  it('requestSync refuses while an operation is there and overwrites nothing', async () => {
    const theirs = { initiatedBy: { username: 'alice', automated: false }, sync: { revision: 'other' } };
    fake.patch(...APP, ref.name, { operation: theirs, status: { operationState: { phase: 'Running', operation: theirs, startedAt: '2024-01-01T00:00:00Z' } } });
    const result = await cluster.requestSync(ref, { revision: 'rev2', username: 'U0DEV', info: [] });
    expect(result).toEqual({ started: false, phase: 'Running', by: 'alice' });
    expect(stored().operation).toEqual(theirs);
    expect(fake.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith(`/${ref.name}`) && (c.body as any)?.operation)).toHaveLength(0);
  });

  it('requestSync re-reads after a 409 and still never overwrites an operation that arrived meanwhile', async () => {
    let once = false;
    fake.onCall = (call) => {
      if (!once && call.method === 'PATCH' && (call.body as any)?.operation) {
        once = true;
        fake.patch(...APP, ref.name, { metadata: { labels: { touched: 'yes' } } });
      }
    };
    expect(await cluster.requestSync(ref, { revision: 'rev2', username: 'U0DEV', info: [] })).toEqual({ started: true });
    expect(stored().operation.sync.revision).toBe('rev2');
    expect(requests.map((r) => `${r.operation} ${r.ok}`)).toEqual(['GET applications true', 'PATCH applications true', 'GET applications true', 'PATCH applications true']);

    ref = { name: `app-${++seq}`, namespace: 'argocd' };
    fake.argo.seedApplication({ name: ref.name, path: 'k8s/overlays/staging' });
    let raced = false;
    fake.onCall = (call) => {
      if (!raced && call.method === 'PATCH' && (call.body as any)?.operation) {
        raced = true;
        fake.patch(...APP, ref.name, { operation: { initiatedBy: { automated: true }, sync: { revision: 'auto' } } });
      }
    };
    const result = await cluster.requestSync(ref, { revision: 'rev2', username: 'U0DEV', info: [] });
    expect(result).toEqual({ started: false, phase: 'requested, not started yet', by: null });
    expect(stored().operation.sync.revision).toBe('auto');
  });

  it('the Argo CD simulator drives a sync to Synced/Healthy and watchApplication follows it', async () => {
    fake.argo.start({ stepMs: 10 });
    const seen = await follow(
      (s) => s.syncRevision === 'rev2' && s.syncStatus === 'Synced' && !s.operationPending,
      async () => void (await cluster.requestSync(ref, { revision: 'rev2', username: 'U0DEV', info: [] })),
    );
    expect(seen[0]).toMatchObject({ syncRevision: 'rev1', operationPending: false });
    expect(seen.some((s) => s.operationPhase === 'Running' && s.operationPending)).toBe(true);
    expect(seen.at(-1)).toEqual({ syncStatus: 'Synced', syncRevision: 'rev2', health: 'Healthy', operationPending: false, operationPhase: 'Succeeded', operationMessage: 'successfully synced (all tasks run)', operationRevision: 'rev2', operationUser: 'U0DEV', resourceVersion: expect.any(String) });
    await expect.poll(() => stored().metadata.annotations?.['argocd.argoproj.io/refresh']).toBeUndefined();
    expect(stored().status.operationState).toMatchObject({ phase: 'Succeeded', syncResult: { revision: 'rev2' }, operation: { initiatedBy: { username: 'U0DEV' } } });
    expect(stored().status.operationState.finishedAt).toBeTruthy();
    expect(requests.some((r) => r.operation === 'WATCH applications')).toBe(true);
  });

  it('simulates failed, degraded, hanging and automated syncs', async () => {
    fake.argo.start({ stepMs: 5 });
    fake.argo.setOutcome(ref.name, 'fail');
    await cluster.requestSync(ref, { revision: 'bad', username: 'U0DEV', info: [] });
    const failed = await follow((s) => s.operationPhase === 'Failed' && !s.operationPending);
    expect(failed.at(-1)).toMatchObject({ syncStatus: 'OutOfSync', syncRevision: 'rev1', operationRevision: 'bad' });

    fake.argo.setOutcome(ref.name, 'degrade');
    await cluster.requestSync(ref, { revision: 'meh', username: 'U0DEV', info: [] });
    expect((await follow((s) => s.operationRevision === 'meh' && s.operationPhase === 'Succeeded' && !s.operationPending)).at(-1)).toMatchObject({ health: 'Degraded', syncRevision: 'meh' });

    fake.argo.setOutcome(ref.name, 'hang');
    await cluster.requestSync(ref, { revision: 'slow', username: 'U0DEV', info: [] });
    await follow((s) => s.operationPhase === 'Running');
    await new Promise((r) => setTimeout(r, 50));
    expect(await cluster.getApplication(ref)).toMatchObject({ operationPhase: 'Running', operationPending: true });
    expect((await cluster.requestSync(ref, { revision: 'next', username: 'U0OTHER', info: [] })).started).toBe(false);
    fake.argo.setOutcome(ref.name, 'succeed');
    expect((await follow((s) => !s.operationPending)).at(-1)).toMatchObject({ operationPhase: 'Succeeded', syncRevision: 'slow', health: 'Healthy' });

    fake.argo.autoSync(ref.name, 'auto1');
    const auto = await follow((s) => s.syncRevision === 'auto1' && !s.operationPending);
    expect(auto.at(-1)).toMatchObject({ syncStatus: 'Synced', operationPhase: 'Succeeded' });
    expect(stored().status.operationState.operation.initiatedBy).toEqual({ automated: true });
  });

  it('watchApplication reconnects after the connection drops and resumes from the last resourceVersion', async () => {
    const seen = await follow(
      (s) => s.health === 'Healthy' && s.syncRevision === 'rev3',
      async () => {
        await watchOpen(1);
        fake.patchStatus(...APP, ref.name, { health: { status: 'Progressing' } });
        expect(fake.dropWatches()).toBe(1);
        fake.patchStatus(...APP, ref.name, { health: { status: 'Missing' } }); // while disconnected
        await watchOpen(2);
        fake.patchStatus(...APP, ref.name, { health: { status: 'Healthy' }, sync: { revision: 'rev3' } });
      },
    );
    expect(seen.map((s) => s.health)).toEqual(['Healthy', 'Progressing', 'Missing', 'Healthy']);
    expect(fake.calls.filter((c) => c.query?.includes('watch=true') && c.query.includes(ref.name)).length).toBe(2);
  });

  it('watchApplication reads the app again when its resourceVersion is too old (410 Gone)', async () => {
    const seen = await follow(
      (s) => s.syncRevision === 'rev4',
      async () => {
        await watchOpen(1);
        fake.dropWatches();
        fake.patchStatus(...APP, ref.name, { sync: { revision: 'rev4' } });
        fake.compact();
      },
    );
    expect(seen.map((s) => s.syncRevision)).toEqual(['rev1', 'rev4']);
    expect(fake.calls.filter((c) => c.method === 'GET' && c.path.endsWith(`/${ref.name}`)).length).toBe(2);
  });

  it('reads a Flagger Canary and follows its status through the watch', async () => {
    const canaryRef = { name: `canary-${seq}`, namespace: 'production' };
    expect(await cluster.getCanary(canaryRef)).toBeNull();
    fake.apply({
      apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: canaryRef.name, namespace: 'production' },
      spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' }, analysis: { maxWeight: 50, stepWeight: 10, threshold: 5 } },
      status: { phase: 'Succeeded', lastAppliedSpec: 'h1', lastPromotedSpec: 'h1', canaryWeight: 0, failedChecks: 0, iterations: 0 },
    });
    expect(await cluster.getCanary(canaryRef)).toMatchObject({ phase: 'Succeeded', lastAppliedSpec: 'h1', target: { kind: 'Deployment', name: 'backend' }, maxWeight: 50 });
    const seen: string[] = [];
    const stop = new AbortController();
    const following = cluster.watchCanary(canaryRef, (state) => (seen.push(`${state.phase} ${state.canaryWeight}`), state.phase === 'Succeeded' && state.lastAppliedSpec === 'h2'), stop.signal);
    await expect.poll(() => seen.length).toBe(1);
    fake.patchStatus('flagger.app/v1beta1', 'Canary', 'production', canaryRef.name, { phase: 'Progressing', lastAppliedSpec: 'h2', canaryWeight: 10 });
    fake.patchStatus('flagger.app/v1beta1', 'Canary', 'production', canaryRef.name, { phase: 'Succeeded', canaryWeight: 0, lastPromotedSpec: 'h2' });
    await following;
    expect(seen).toEqual(['Succeeded 0', 'Progressing 10', 'Succeeded 0']);
    expect(requests.map((r) => r.operation)).toEqual(expect.arrayContaining(['GET canaries', 'WATCH canaries']));
  });

  it('watchApplication stops when the signal aborts', async () => {
    const ctrl = new AbortController();
    const watching = cluster.watchApplication(ref, () => false, ctrl.signal);
    await watchOpen(1);
    ctrl.abort();
    await watching;
    await expect.poll(() => fake.watchCount()).toBe(0);
  });
});

describe('loadKubeConfig', () => {
  it('refuses clearly when there is neither KUBECONFIG nor a pod', () => {
    expect(() => loadKubeConfig(undefined, {})).toThrow(/set KUBECONFIG/);
    expect(() => loadKubeConfig('', {})).toThrow(/KUBERNETES_SERVICE_HOST is not set/);
    expect(() => loadKubeConfig(join(dir, 'missing'), {})).toThrow(/does not exist/);
  });

  it('falls back to ~/.kube/config outside a pod, and prefers the service account inside one', async () => {
    const fake = await startKubeFake();
    try {
      const home = join(dir, 'home');
      mkdirSync(join(home, '.kube'), { recursive: true });
      writeFileSync(join(home, '.kube', 'config'), fake.kubeconfig('from-home'));
      expect(loadKubeConfig(undefined, { HOME: home }).getCurrentContext()).toBe('from-home');
      expect(loadKubeConfig(undefined, { HOME: home, KUBERNETES_SERVICE_HOST: '10.0.0.1' }).getCurrentContext()).toBe('inClusterContext');
    } finally {
      await fake.close();
    }
  });

  it('loads KUBECONFIG and makes clients per context', async () => {
    const fake = await startKubeFake();
    try {
      const path = join(dir, 'ctx-kubeconfig');
      writeFileSync(path, fake.kubeconfig('staging-cluster'));
      const kc = loadKubeConfig(path, {});
      expect(kc.getCurrentContext()).toBe('staging-cluster');
      expect(() => contextClients(kc, 'prod')).toThrow(/no context "prod"/);
      fake.argo.seedApplication({ name: 'web', path: 'p' });
      const cluster = new KubeCluster(kc);
      expect(await cluster.getApplication({ name: 'web', namespace: 'argocd', context: 'staging-cluster' })).toMatchObject({ syncStatus: 'Synced' });
    } finally {
      await fake.close();
    }
  });
});
