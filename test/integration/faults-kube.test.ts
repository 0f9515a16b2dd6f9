// Faults of the Kubernetes fake met by the real client-node through Flightdeck's clients: every call ends (timeout, error
// code), and a watch keeps following through hung connects, drops and 410 Gone.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contextClients, loadKubeConfig, type ContextClients } from '../../src/adapters/kube/kubeconfig.js';
import { watchObject } from '../../src/adapters/kube/watchObject.js';
import { kubeFaults } from '../../src/sandbox/faults.js';
import { startKubeFake, type KubeFake } from '../../src/sandbox/kube/server.js';

const APPS = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications';
/** the collection path only: watches, not reads of one object */
const WATCH = /^\/apis\/argoproj\.io\/v1alpha1\/namespaces\/argocd\/applications$/;
const APP = { group: 'argoproj.io', version: 'v1alpha1', plural: 'applications', namespace: 'argocd', name: 'web' };
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let fake: KubeFake;
let clients: ContextClients;
let dir: string;
beforeAll(async () => {
  fake = await startKubeFake();
  dir = mkdtempSync(join(tmpdir(), 'faults-kube-'));
  const path = join(dir, 'kubeconfig');
  writeFileSync(path, fake.kubeconfig());
  clients = contextClients(loadKubeConfig(path, {}), undefined, { timeoutMs: 400 });
  fake.argo.seedApplication({ name: 'web', path: 'k8s/overlays/dev', revision: 'r1' });
});
afterEach(() => {
  const left = fake.faults.pending();
  fake.faults.clear();
  expect(left, 'every queued fault was hit').toBe(0);
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail');
}

const get = () => clients.customObjects.getNamespacedCustomObject(APP);
const annotate = (value: string) => clients.customObjects.patchNamespacedCustomObject({ ...APP, body: { metadata: { annotations: { probe: value } } } }, MERGE);

describe('Kubernetes fake faults with client-node', () => {
  it('an API server that is down (503) fails the call with its code', async () => {
    fake.faults.inject({ method: 'GET', path: `${APPS}/web`, ...kubeFaults.unavailable() });
    const err = await failure(get());
    expect(err).toBeInstanceOf(ApiException);
    expect((err as ApiException<unknown>).code).toBe(503);
  });

  it('a refused or reset connection fails the call', async () => {
    fake.faults.inject({ method: 'GET', path: `${APPS}/web`, kind: 'reset' });
    expect(await failure(get())).toBeInstanceOf(Error);
  });

  it('a hung API server fails the call after the timeout instead of holding it', async () => {
    fake.faults.inject({ method: 'GET', path: `${APPS}/web`, kind: 'hang' });
    const started = Date.now();
    const err = await failure(get());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(String(err)).toMatch(/abort|timeout/i);
    expect(await get()).toMatchObject({ metadata: { name: 'web' } });
  });

  it('answers 409 Conflict as a real server would', async () => {
    fake.faults.inject({ method: 'PATCH', path: `${APPS}/web`, ...kubeFaults.conflict('applications.argoproj.io "web"') });
    const err = await failure(annotate('a'));
    expect((err as ApiException<unknown>).code).toBe(409);
    expect(fake.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'web').metadata.annotations?.probe).toBeUndefined();
  });

  it('a lost answer to a PATCH is applied although the caller sees a failure', async () => {
    fake.faults.inject({ method: 'PATCH', path: `${APPS}/web`, kind: 'lost' });
    await failure(annotate('lost'));
    expect(fake.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'web').metadata.annotations?.probe).toBe('lost');
  });

  it('a slow answer within the timeout is simply slow', async () => {
    fake.faults.inject({ method: 'GET', path: `${APPS}/web`, kind: 'slow', ms: 150 });
    expect(await get()).toMatchObject({ metadata: { name: 'web' } });
  });
});

describe('watchObject through Kubernetes faults', () => {
  /** Follows `web` until its `probe` annotation reads `value`, changing it once the watch is there. */
  async function follow(value: string, opts: { connectTimeoutMs?: number; afterConnect?: () => void } = {}): Promise<number> {
    let reads = 0;
    const start = fake.calls.length;
    const controller = new AbortController();
    const done = watchObject({
      watch: clients.watch,
      path: APPS,
      name: 'web',
      backoff: { initialMs: 20, maxMs: 100 },
      ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
      signal: controller.signal,
      read: async () => {
        reads += 1;
        return clients.customObjects.getNamespacedCustomObject(APP);
      },
      onObject: (obj) => obj.metadata?.annotations?.probe === value,
    });
    const timer = setTimeout(() => controller.abort(), 10_000);
    // a watch of this run is open (a call still unanswered), so the change below arrives through it
    const openWatch = () => fake.calls.slice(start).some((c) => c.method === 'GET' && c.path === APPS && /watch=(true|1)/.test(c.query ?? '') && c.status === undefined);
    await expect.poll(openWatch, { timeout: 5_000 }).toBe(true);
    opts.afterConnect?.();
    fake.patch('argoproj.io/v1alpha1', 'Application', 'argocd', 'web', { metadata: { annotations: { probe: value } } });
    await done;
    clearTimeout(timer);
    expect(controller.signal.aborted, 'the change was seen before the deadline').toBe(false);
    return reads;
  }

  it('retries a watch whose connect hangs', async () => {
    fake.faults.inject({ method: 'GET', path: WATCH, kind: 'hang' });
    await follow('after-hang', { connectTimeoutMs: 300 });
    expect(fake.faults.injected.at(-1)).toMatchObject({ kind: 'hang', path: APPS });
  });

  it('resumes after the watch connection is dropped', async () => {
    await follow('after-drop', { afterConnect: () => expect(fake.dropWatches()).toBeGreaterThan(0) });
  });

  it('re-reads the object after a watch answers 410 Gone', async () => {
    fake.faults.inject({ method: 'GET', path: WATCH, ...kubeFaults.gone() });
    const reads = await follow('after-gone');
    expect(reads).toBeGreaterThanOrEqual(2);
  });

  it('retries a watch refused with 503', async () => {
    fake.faults.inject({ method: 'GET', path: WATCH, ...kubeFaults.unavailable() });
    await follow('after-503');
  });
});
