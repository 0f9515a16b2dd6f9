// The Flagger simulator in the Kubernetes fake: seeded Canary shape, analysis outcomes as watchers see them, and analyses started by Argo CD syncs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import { startKubeFake, type KubeFake } from '../../src/sandbox/kube/server.js';

const NS = 'production';
const STEP = 5;

interface Seen {
  type: string;
  phase: string;
  weight: number;
  failedChecks: number;
  applied: string;
  promoted: string;
}

describe('Flagger simulator', () => {
  let fake: KubeFake;
  let kc: KubeConfig;
  const watches: AbortController[] = [];

  beforeAll(async () => {
    fake = await startKubeFake();
    kc = new KubeConfig();
    kc.loadFromString(fake.kubeconfig());
    fake.argo.start({ stepMs: STEP });
    fake.flagger.start({ stepMs: STEP });
  });
  afterAll(async () => {
    for (const w of watches) w.abort();
    await fake.close();
  });

  const canary = (name: string): any => fake.get('flagger.app/v1beta1', 'Canary', NS, name);

  /** Every change of the canary after now, as a client-node watch receives it. */
  async function watchCanary(name: string): Promise<Seen[]> {
    const seen: Seen[] = [];
    const controller = await new Watch(kc).watch(
      `/apis/flagger.app/v1beta1/namespaces/${NS}/canaries`,
      { fieldSelector: `metadata.name=${name}`, resourceVersion: canary(name).metadata.resourceVersion },
      (type, obj) => seen.push({ type, phase: obj.status.phase, weight: obj.status.canaryWeight, failedChecks: obj.status.failedChecks, applied: obj.status.lastAppliedSpec, promoted: obj.status.lastPromotedSpec }),
      () => undefined,
    );
    watches.push(controller);
    return seen;
  }

  it('seeds a promoted flagger.app/v1beta1 Canary with the defaults', () => {
    const seeded = fake.flagger.seedCanary({ name: 'shape', namespace: NS });
    expect(seeded).toMatchObject({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'Canary',
      metadata: { name: 'shape', namespace: NS },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'shape' },
        service: { port: 9898 },
        analysis: {
          interval: '1m',
          threshold: 5,
          maxWeight: 50,
          stepWeight: 10,
          metrics: [
            { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
            { name: 'request-duration', thresholdRange: { max: 500 }, interval: '1m' },
          ],
        },
      },
      status: { phase: 'Succeeded', canaryWeight: 0, iterations: 0, failedChecks: 0, trackedConfigs: {} },
    });
    expect(seeded.status.lastAppliedSpec).toBeTruthy();
    expect(seeded.status.lastPromotedSpec).toBe(seeded.status.lastAppliedSpec);
    expect(seeded.status.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(seeded.status.conditions).toEqual([
      { type: 'Promoted', status: 'True', reason: 'Succeeded', message: 'Canary analysis completed successfully, promotion finished.', lastUpdateTime: seeded.status.lastTransitionTime, lastTransitionTime: seeded.status.lastTransitionTime },
    ]);
    expect(fake.flagger.phases(NS, 'shape')).toEqual([]);
    expect(canary('shape')).toEqual(seeded);
  });

  it('serves the Canary over HTTP', async () => {
    fake.flagger.seedCanary({ name: 'backend', namespace: NS, target: { kind: 'Deployment', name: 'backend' } });
    const res = await fetch(`${fake.url}/apis/flagger.app/v1beta1/namespaces/production/canaries/backend`, { headers: { Authorization: `Bearer ${fake.token}` } });
    expect(res.status).toBe(200);
    const body: any = await res.json();
    expect(body).toMatchObject({ apiVersion: 'flagger.app/v1beta1', kind: 'Canary', metadata: { name: 'backend', namespace: NS }, status: { phase: 'Succeeded' } });
  });

  it("'succeed': steps the weight up to maxWeight, then Promoting, Finalising and Succeeded with the new spec promoted", async () => {
    const old = fake.flagger.seedCanary({ name: 'ok', namespace: NS }).status.lastAppliedSpec;
    const seen = await watchCanary('ok');
    fake.flagger.analyse(NS, 'ok');
    await expect.poll(() => seen.at(-1)?.phase).toBe('Succeeded');
    expect(fake.flagger.phases(NS, 'ok')).toEqual(['Progressing', 'Promoting', 'Finalising', 'Succeeded']);
    expect(seen.every((s) => s.type === 'MODIFIED')).toBe(true);
    expect(seen.filter((s) => s.phase === 'Progressing').map((s) => s.weight)).toEqual([10, 20, 30, 40, 50]);
    expect(seen.filter((s) => s.phase !== 'Progressing').map((s) => [s.phase, s.weight])).toEqual([['Promoting', 0], ['Finalising', 0], ['Succeeded', 0]]);
    const done = canary('ok').status;
    expect(done.lastAppliedSpec).not.toBe(old);
    expect(done.lastPromotedSpec).toBe(done.lastAppliedSpec);
    expect(seen.filter((s) => s.phase !== 'Succeeded').every((s) => s.applied === done.lastAppliedSpec && s.promoted === old)).toBe(true);
    expect(done.conditions).toEqual([expect.objectContaining({ type: 'Promoted', status: 'True', reason: 'Succeeded', message: 'Canary analysis completed successfully, promotion finished.' })]);
  });

  it("'fail': counts one failed check per step up to the threshold, then Failed with weight 0", async () => {
    const old = fake.flagger.seedCanary({ name: 'bad', namespace: NS, threshold: 3 }).status.lastAppliedSpec;
    fake.flagger.setOutcome(NS, 'bad', 'fail');
    const seen = await watchCanary('bad');
    fake.flagger.analyse(NS, 'bad');
    await expect.poll(() => seen.at(-1)?.phase).toBe('Failed');
    expect(seen.map((s) => [s.phase, s.weight, s.failedChecks])).toEqual([
      ['Progressing', 10, 0],
      ['Progressing', 10, 1],
      ['Progressing', 10, 2],
      ['Progressing', 10, 3],
      ['Failed', 0, 3],
    ]);
    expect(fake.flagger.phases(NS, 'bad')).toEqual(['Progressing', 'Failed']);
    const failed = canary('bad').status;
    expect(failed.lastPromotedSpec).toBe(old);
    expect(failed.lastAppliedSpec).not.toBe(old);
    expect(failed.conditions).toEqual([expect.objectContaining({ type: 'Promoted', status: 'False', reason: 'Failed', message: 'Canary analysis failed, Deployment scaled to zero.' })]);
  });

  it("'wait-promotion': holds in WaitingPromotion until promote()", async () => {
    fake.flagger.seedCanary({ name: 'gated', namespace: NS, maxWeight: 20 });
    fake.flagger.setOutcome(NS, 'gated', 'wait-promotion');
    fake.flagger.analyse(NS, 'gated');
    await expect.poll(() => canary('gated').status.phase).toBe('WaitingPromotion');
    const waiting = canary('gated');
    expect(waiting.status).toMatchObject({ canaryWeight: 0, iterations: 0 });
    expect(waiting.status.conditions[0]).toMatchObject({ status: 'Unknown', reason: 'WaitingPromotion', message: 'Waiting for approval.' });
    await new Promise((resolve) => setTimeout(resolve, STEP * 10));
    expect(canary('gated').metadata.resourceVersion).toBe(waiting.metadata.resourceVersion);
    fake.flagger.promote(NS, 'gated');
    await expect.poll(() => canary('gated').status.phase).toBe('Succeeded');
    expect(fake.flagger.phases(NS, 'gated')).toEqual(['Progressing', 'WaitingPromotion', 'Promoting', 'Finalising', 'Succeeded']);
    expect(canary('gated').status.lastPromotedSpec).toBe(canary('gated').status.lastAppliedSpec);
  });

  it("'hang' stays Progressing at the first step; a new revision restarts the analysis with a new hash", async () => {
    fake.flagger.seedCanary({ name: 'stuck', namespace: NS, threshold: 1000 });
    fake.flagger.setOutcome(NS, 'stuck', 'hang');
    fake.flagger.analyse(NS, 'stuck');
    const first = canary('stuck');
    expect(first.status).toMatchObject({ phase: 'Progressing', canaryWeight: 10 });
    await new Promise((resolve) => setTimeout(resolve, STEP * 10));
    expect(canary('stuck').metadata.resourceVersion).toBe(first.metadata.resourceVersion);

    // Failing checks (with a threshold never reached) keep it Progressing until the restart, whatever the timing.
    fake.flagger.setOutcome(NS, 'stuck', 'fail');
    await expect.poll(() => canary('stuck').status.failedChecks).toBeGreaterThanOrEqual(2);
    fake.flagger.analyse(NS, 'stuck');
    const restarted = canary('stuck').status;
    expect(restarted).toMatchObject({ phase: 'Progressing', canaryWeight: 10, failedChecks: 0 });
    expect(restarted.lastAppliedSpec).not.toBe(first.status.lastAppliedSpec);
    fake.flagger.setOutcome(NS, 'stuck', 'succeed');
    await expect.poll(() => canary('stuck').status.phase).toBe('Succeeded');
    expect(canary('stuck').status.lastPromotedSpec).toBe(restarted.lastAppliedSpec);
    expect(fake.flagger.phases(NS, 'stuck')).toEqual(['Progressing', 'Promoting', 'Finalising', 'Succeeded']);
  });

  it('starts an analysis when the linked Argo CD Application finishes a sync of a new revision, not for the seeded state', async () => {
    const APP = ['argoproj.io/v1alpha1', 'Application', 'argocd', 'shop'] as const;
    fake.argo.seedApplication({ name: 'shop', path: 'k8s/overlays/production', revision: 'aaa' });
    fake.patchStatus(...APP, { operationState: { phase: 'Succeeded', syncResult: { revision: 'aaa' } } });
    const old = fake.flagger.seedCanary({ name: 'linked', namespace: NS, application: { name: 'shop' } }).status.lastAppliedSpec;

    // Events of the app that show its already-analysed sync change nothing.
    fake.patch(...APP, { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } } });
    await expect.poll(() => fake.get(...APP).metadata.annotations?.['argocd.argoproj.io/refresh']).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, STEP * 5));
    expect(fake.flagger.phases(NS, 'linked')).toEqual([]);

    fake.patch(...APP, { operation: { sync: { revision: 'bbb' } } });
    await expect.poll(() => fake.flagger.phases(NS, 'linked')).toEqual(['Progressing', 'Promoting', 'Finalising', 'Succeeded']);
    const promoted = canary('linked').status.lastPromotedSpec;
    expect(promoted).not.toBe(old);
    expect(fake.get(...APP).status.sync.revision).toBe('bbb');

    // A second sync of the same revision leaves the target as it is.
    fake.patch(...APP, { operation: { sync: { revision: 'bbb' } } });
    await expect.poll(() => fake.get(...APP).operation).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, STEP * 5));
    expect(fake.flagger.phases(NS, 'linked')).toEqual(['Progressing', 'Promoting', 'Finalising', 'Succeeded']);
    expect(canary('linked').status.lastAppliedSpec).toBe(promoted);
  });
});
