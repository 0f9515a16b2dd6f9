// In a pod, a mounted kubeconfig adds remote clusters and never replaces this one: an environment without a context is in-cluster.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterOf, contextClients, environmentClusters, IN_CLUSTER_CONTEXT, loadKubeConfig } from '../../src/adapters/kube/kubeconfig.js';
import { startKubeFake, type KubeFake } from '../../src/sandbox/kube/server.js';

const POD = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
let remote: KubeFake;
let dir: string;
let remoteConfig: string;

beforeAll(async () => {
  remote = await startKubeFake();
  remote.argo.seedApplication({ name: 'shop-prod', path: 'k8s/overlays/production' });
  dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  remoteConfig = join(dir, 'remote');
  // the mounted file's own current-context is the remote cluster: it must not become the default
  writeFileSync(remoteConfig, remote.kubeconfig('prod-eu'));
});
afterAll(async () => {
  await remote.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('loadKubeConfig in a pod with a mounted kubeconfig', () => {
  it('keeps this cluster as the current context and adds the remote contexts', () => {
    const kc = loadKubeConfig(remoteConfig, POD);
    expect(kc.getCurrentContext()).toBe(IN_CLUSTER_CONTEXT);
    expect(clusterOf(kc)).toEqual({ context: IN_CLUSTER_CONTEXT, server: 'https://10.96.0.1:443' });
    expect(clusterOf(kc, 'prod-eu')).toEqual({ context: 'prod-eu', server: remote.url });
  });

  it('resolves environments without a context to this cluster, and named contexts to theirs', () => {
    const kc = loadKubeConfig(remoteConfig, POD);
    const resolved = environmentClusters(kc, [
      { name: 'dev', argocd: {} },
      { name: 'production', argocd: { context: 'prod-eu' }, cluster: { context: 'prod-eu' } },
    ]);
    expect(resolved).toEqual([
      { env: 'dev', argocd: { context: IN_CLUSTER_CONTEXT, server: 'https://10.96.0.1:443' }, cluster: { context: IN_CLUSTER_CONTEXT, server: 'https://10.96.0.1:443' } },
      { env: 'production', argocd: { context: 'prod-eu', server: remote.url }, cluster: { context: 'prod-eu', server: remote.url } },
    ]);
  });

  it('reaches the remote cluster through its context', async () => {
    const kc = loadKubeConfig(remoteConfig, POD);
    const { customObjects } = contextClients(kc, 'prod-eu');
    const app = await customObjects.getNamespacedCustomObject({ group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', namespace: 'argocd', name: 'shop-prod' });
    expect(app).toMatchObject({ metadata: { name: 'shop-prod' } });
  });

  it('refuses a kubeconfig that reuses the in-cluster names, saying why', () => {
    const clash = join(dir, 'clash');
    writeFileSync(clash, remote.kubeconfig(IN_CLUSTER_CONTEXT));
    expect(() => loadKubeConfig(clash, POD)).toThrow(/cannot be added.*inClusterContext/);
  });

  it('outside a pod, KUBECONFIG alone decides, current context included', () => {
    const kc = loadKubeConfig(remoteConfig, {});
    expect(kc.getCurrentContext()).toBe('prod-eu');
    expect(clusterOf(kc).server).toBe(remote.url);
  });
});
