// The Kubernetes API fake exercised by the real client-node: patches, optimistic concurrency, errors and watch streams.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeFake, type KubeFake } from '../../src/sandbox/kube/server.js';

const APP = { group: 'argoproj.io', version: 'v1alpha1', namespace: 'argocd', plural: 'applications' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function codeOf(promise: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiException) return { code: err.code, body: typeof err.body === 'string' ? JSON.parse(err.body) : err.body };
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('Kubernetes API fake', () => {
  let fake: KubeFake;
  let api: CustomObjectsApi;
  let kc: KubeConfig;

  beforeAll(async () => {
    fake = await startKubeFake();
    kc = new KubeConfig();
    kc.loadFromString(fake.kubeconfig());
    api = kc.makeApiClient(CustomObjectsApi);
    fake.argo.seedApplication({ name: 'web', path: 'k8s/overlays/dev', revision: 'abc' });
  });
  afterAll(() => fake.close());

  it('serves GET and LIST with resourceVersions and a field selector', async () => {
    const app = await api.getNamespacedCustomObject({ ...APP, name: 'web' });
    expect(app.status.sync).toMatchObject({ status: 'Synced', revision: 'abc' });
    expect(app.metadata.resourceVersion).toMatch(/^\d+$/);
    fake.argo.seedApplication({ name: 'api', path: 'k8s/overlays/api' });
    const list = await api.listNamespacedCustomObject({ ...APP, fieldSelector: 'metadata.name=api' });
    expect(list.kind).toBe('ApplicationList');
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(list.items.map((i: any) => i.metadata.name)).toEqual(['api']);
    const missing = await codeOf(api.getNamespacedCustomObject({ ...APP, name: 'nope' }));
    expect(missing.code).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
  });

  it('applies a merge patch, and refuses one based on a stale resourceVersion with 409', async () => {
    const before = await api.getNamespacedCustomObject({ ...APP, name: 'web' });
    const after = await api.patchNamespacedCustomObject({ ...APP, name: 'web', body: { metadata: { annotations: { a: '1' } }, spec: { project: 'p2' } } }, MERGE);
    expect(after.metadata.annotations).toEqual({ a: '1' });
    expect(after.spec.project).toBe('p2');
    expect(after.spec.source.path).toBe('k8s/overlays/dev');
    expect(Number(after.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect(after.metadata.generation).toBe(before.metadata.generation + 1);
    expect(fake.calls.at(-1)).toMatchObject({ method: 'PATCH', path: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web', contentType: 'application/merge-patch+json' });

    const stale = await codeOf(api.patchNamespacedCustomObject({ ...APP, name: 'web', body: { metadata: { resourceVersion: before.metadata.resourceVersion }, spec: { project: 'lost' } } }, MERGE));
    expect(stale.code).toBe(409);
    expect(stale.body.reason).toBe('Conflict');
    expect(fake.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'web').spec.project).toBe('p2');
    const current = await api.patchNamespacedCustomObject({ ...APP, name: 'web', body: { metadata: { resourceVersion: after.metadata.resourceVersion }, spec: { project: 'won' } } }, MERGE);
    expect(current.spec.project).toBe('won');
  });

  it('applies a JSON patch (client-node default) and rejects strategic merge on a custom resource with 415', async () => {
    const patched = await api.patchNamespacedCustomObject({ ...APP, name: 'web', body: [{ op: 'add', path: '/metadata/labels', value: { team: 'shop' } }, { op: 'replace', path: '/spec/project', value: 'json' }] });
    expect(patched.metadata.labels).toEqual({ team: 'shop' });
    expect(patched.spec.project).toBe('json');
    expect(fake.calls.at(-1)?.contentType).toBe('application/json-patch+json');
    const failedTest = await codeOf(api.patchNamespacedCustomObject({ ...APP, name: 'web', body: [{ op: 'test', path: '/spec/project', value: 'other' }] }));
    expect(failedTest.code).toBe(422);
    const smp = await codeOf(api.patchNamespacedCustomObject({ ...APP, name: 'web', body: { spec: {} } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)));
    expect(smp.code).toBe(415);
    expect(smp.body.reason).toBe('UnsupportedMediaType');
  });

  it('creates (409 AlreadyExists on a second time), replaces with a current resourceVersion only, and deletes', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } };
    const core = kc.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body });
    expect(created.metadata?.uid).toBeTruthy();
    expect((await codeOf(core.createNamespacedConfigMap({ namespace: 'default', body }))).code).toBe(409);
    const replaced = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'default', body: { ...body, metadata: { name: 'settings', resourceVersion: created.metadata!.resourceVersion! }, data: { a: '2' } } });
    expect(replaced.data).toEqual({ a: '2' });
    const stale = await codeOf(core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'default', body: { ...body, metadata: { name: 'settings', resourceVersion: created.metadata!.resourceVersion! } } }));
    expect(stale.code).toBe(409);
    await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'default' });
    expect(fake.get('v1', 'ConfigMap', 'default', 'settings')).toBeUndefined();
  });

  it('answers 401 without the kubeconfig token', async () => {
    const res = await fetch(`${fake.url}/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web`);
    expect(res.status).toBe(401);
  });

  it('streams watch events from a resourceVersion, filtered by name, and 410 Gone after compaction', async () => {
    const start = (await api.getNamespacedCustomObject({ ...APP, name: 'web' })).metadata.resourceVersion;
    const events: Array<{ type: string; name: string; project: string }> = [];
    const watch = new Watch(kc);
    const controller = await watch.watch('/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', { fieldSelector: 'metadata.name=web', resourceVersion: start }, (type, obj) => events.push({ type, name: obj.metadata?.name, project: obj.spec?.project }), () => undefined);
    fake.patch('argoproj.io/v1alpha1', 'Application', 'argocd', 'api', { spec: { project: 'ignored' } });
    fake.patch('argoproj.io/v1alpha1', 'Application', 'argocd', 'web', { spec: { project: 'w1' } });
    fake.patchStatus('argoproj.io/v1alpha1', 'Application', 'argocd', 'web', { health: { status: 'Degraded' } });
    await expect.poll(() => events.length).toBe(2);
    expect(events).toEqual([{ type: 'MODIFIED', name: 'web', project: 'w1' }, { type: 'MODIFIED', name: 'web', project: 'w1' }]);
    controller.abort();

    fake.compact();
    const gone: any[] = [];
    await watch.watch('/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', { resourceVersion: start }, (type, obj) => gone.push({ type, obj }), () => undefined);
    await expect.poll(() => gone.length).toBe(1);
    expect(gone[0]).toMatchObject({ type: 'ERROR', obj: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('starts a watch without resourceVersion with ADDED events for what exists', async () => {
    const events: string[] = [];
    const controller = await new Watch(kc).watch('/apis/argoproj.io/v1alpha1/applications', {}, (type, obj) => events.push(`${type} ${obj.metadata.name}`), () => undefined);
    await expect.poll(() => events.length).toBe(2);
    expect(events.sort()).toEqual(['ADDED api', 'ADDED web']);
    controller.abort();
  });
});
