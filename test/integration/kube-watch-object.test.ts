// watchObject keeps following an object through failures that pass: a failing first read is retried, not fatal.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../src/adapters/kube/kubeconfig.js';
import { watchObject } from '../../src/adapters/kube/watchObject.js';
import { startKubeFake, type KubeFake } from '../../src/sandbox/kube/server.js';

let fake: KubeFake;
let watch: Watch;
beforeAll(async () => {
  fake = await startKubeFake();
  const path = join(mkdtempSync(join(tmpdir(), 'watch-object-')), 'kubeconfig');
  writeFileSync(path, fake.kubeconfig());
  watch = new Watch(loadKubeConfig(path, {}));
  fake.argo.seedApplication({ name: 'web', path: 'k8s/overlays/dev', revision: 'r1' });
});
afterAll(() => fake.close());

const base = { path: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', name: 'web', backoff: { initialMs: 10, maxMs: 50 } };

describe('watchObject', () => {
  it('retries a first read that fails with a server error, then follows the object', async () => {
    let reads = 0;
    const seen: string[] = [];
    await watchObject({
      ...base,
      watch,
      signal: new AbortController().signal,
      read: async () => {
        reads += 1;
        if (reads < 3) throw Object.assign(new Error('service unavailable'), { code: 503 });
        return fake.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'web');
      },
      onObject: (obj) => {
        seen.push(obj.metadata.resourceVersion);
        return true;
      },
    });
    expect(reads).toBe(3);
    expect(seen).toHaveLength(1);
  });

  it('gives up at once when access is refused', async () => {
    const refused = watchObject({ ...base, watch, signal: new AbortController().signal, read: async () => Promise.reject(Object.assign(new Error('forbidden'), { code: 403 })), onObject: () => true });
    await expect(refused).rejects.toThrow('forbidden');
  });
});
