// End to end: `/canary-status` reads the Flagger Canary through the Kubernetes fake and metric values from the Prometheus fake.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/harness.js';
import { canaryStatusOf, startCanaryWorld, type CanaryWorld } from '../support/canary-kit.js';

let w: CanaryWorld;
const flagger = () => w.fd.world.kube.flagger;

/** Starts an analysis of a new revision and holds it at its first step. */
function progressing(): void {
  flagger().setOutcome('production', 'backend', 'hang');
  flagger().analyse('production', 'backend');
}

describe('/canary-status', () => {
  beforeEach(async () => {
    w = await startCanaryWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('shows a progressing canary: phase, weight bar, plan, checks, metrics against thresholds from Prometheus, and the buttons', async () => {
    w.prometheus.set('istio_requests_total', 99.5);
    w.prometheus.set('istio_request_duration_milliseconds_bucket', 620);
    progressing();
    const status = await canaryStatusOf(w.fd, 'prod');
    expect(status.shown).toContain('Phase: *Progressing*');
    expect(status.shown).toContain('`██░░░░░░░░` 10% of 50%');
    expect(status.shown).toContain('steps of 10% up to 50% (10 → 20 → 30 → 40 → 50)');
    expect(status.shown).toContain('Failed checks: 0 of 5 allowed');
    expect(status.shown).toContain('request-success-rate: 99.5% :white_check_mark: pass (min 99%)');
    expect(status.shown).toContain('request-duration (P99): 620 ms :x: fail (max 500ms)');
    expect(status.buttons.map((b) => b.text)).toEqual(['Promote canary', 'Abort canary', 'Follow']);
    // The queries are Flagger's built-in Istio ones for this canary's namespace and target, whitespace collapsed.
    const success = w.prometheus.queries.find((q) => q.includes('istio_requests_total'))!;
    expect(success).toContain('destination_workload_namespace="production", destination_workload=~"backend", response_code!~"5.*"}[1m]');
    expect(w.prometheus.queries.find((q) => q.includes('histogram_quantile'))).toMatch(/^histogram_quantile\(0\.99, /);
  });

  it('says "unknown" for every metric when Prometheus is down or slow, and still answers', async () => {
    progressing();
    w.prometheus.down = true;
    const down = await canaryStatusOf(w.fd, 'production');
    expect(down.shown).toContain('request-success-rate: unknown (Prometheus did not answer in time) (min 99%)');
    w.prometheus.down = false;
    w.prometheus.delayMs = 5_000;
    const started = Date.now();
    const slow = await canaryStatusOf(w.fd, 'production');
    expect(Date.now() - started).toBeLessThan(4_500);
    expect(slow.shown).toContain('request-duration (P99): unknown (Prometheus did not answer in time) (max 500ms)');
  });

  it('shows a succeeded canary without buttons, and a failed one with Flagger\'s message', async () => {
    const done = await canaryStatusOf(w.fd, 'prod backend');
    expect(done.shown).toContain('Phase: *Succeeded*');
    expect(done.buttons).toEqual([]);
    flagger().setOutcome('production', 'backend', 'fail');
    flagger().analyse('production', 'backend');
    await eventually(() => flagger().phases('production', 'backend').includes('Failed'), { what: 'failed analysis' });
    const failed = await canaryStatusOf(w.fd, 'prod');
    expect(failed.shown).toContain('Phase: *Failed*');
    expect(failed.shown).toContain('Canary analysis failed, Deployment scaled to zero.');
    expect(failed.shown).toContain('Failed checks: 5 of 5 allowed');
  });

  it('says clearly when the Canary does not exist, and when Flagger is not installed', async () => {
    w.fd.world.kube.flagger.crdInstalled = true;
    await fetch(`${w.fd.world.kube.url}/apis/flagger.app/v1beta1/namespaces/production/canaries/backend`, { method: 'DELETE', headers: { Authorization: `Bearer ${w.fd.world.kube.token}` } });
    const missing = await canaryStatusOf(w.fd, 'prod');
    expect(missing.shown).toContain('There is no Flagger Canary `backend` in namespace production.');
    w.fd.world.kube.flagger.crdInstalled = false;
    const noCrd = await canaryStatusOf(w.fd, 'prod');
    expect(noCrd.shown).toContain('Flagger is not installed where production runs: the Kubernetes API has no Canary type (flagger.app/v1beta1).');
  });

  it('shows blue/green as iterations and a stepWeights plan as its weights', async () => {
    flagger().seedCanary({ name: 'backend', namespace: 'production', analysis: { stepWeight: null, maxWeight: null, iterations: 10 } });
    progressing();
    const blueGreen = await canaryStatusOf(w.fd, 'prod');
    expect(blueGreen.shown).toContain('Plan: blue/green, 10 iterations');
    expect(blueGreen.shown).toContain('Traffic: blue/green — no traffic shifted to the canary before promotion');
    expect(blueGreen.shown).toContain('Iterations: 0 of 10');

    flagger().seedCanary({ name: 'backend', namespace: 'production', analysis: { stepWeight: null, maxWeight: null, stepWeights: [5, 15, 50, 100] } });
    progressing();
    const weights = await canaryStatusOf(w.fd, 'prod');
    expect(weights.shown).toContain('Plan: weights 5% → 15% → 50% → 100%');
    expect(weights.shown).toContain('`█░░░░░░░░░` 5% of 100%');
  });

  it('queries a metric through the MetricTemplate the Canary references, rendered as Flagger renders it', async () => {
    w.fd.world.kube.apply({
      apiVersion: 'flagger.app/v1beta1',
      kind: 'MetricTemplate',
      metadata: { name: 'error-rate', namespace: 'production' },
      spec: { provider: { type: 'prometheus', address: w.prometheus.url }, query: 'sum(rate(http_errors{namespace="{{ namespace }}", app="{{ target }}"}[{{ interval }}]))' },
    });
    const metrics = [
      { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
      { name: 'error-rate', templateRef: { name: 'error-rate' }, thresholdRange: { max: 1 }, interval: '30s' },
      { name: 'latency-p95', templateRef: { name: 'no-such-template' }, thresholdRange: { max: 500 } },
    ];
    flagger().seedCanary({ name: 'backend', namespace: 'production', analysis: { metrics } });
    w.prometheus.set('http_errors', 0.5);
    w.prometheus.set('istio_requests_total', 98);
    progressing();
    const status = await canaryStatusOf(w.fd, 'prod');
    expect(status.shown).toContain('error-rate: 0.5 :white_check_mark: pass (max 1)');
    expect(status.shown).toContain('request-success-rate: 98% :x: fail (min 99%)');
    expect(status.shown).toContain('latency-p95: unknown (its MetricTemplate could not be read) (max 500)');
    expect(w.prometheus.queries).toContain('sum(rate(http_errors{namespace="production", app="backend"}[30s]))');
  });

  it('says a Canary targeting a StatefulSet cannot work', async () => {
    flagger().seedCanary({ name: 'backend', namespace: 'production', target: { kind: 'StatefulSet', name: 'backend' } });
    const status = await canaryStatusOf(w.fd, 'prod');
    expect(status.shown).toContain('Its target is a StatefulSet: Flagger analyses only Deployments and DaemonSets, so this canary cannot work.');
  });

  it('refuses an environment without a canary and an unknown one, privately', async () => {
    const staging = await w.fd.slash('staging', 'U0DEV', { command: '/canary-status' });
    expect(JSON.parse(staging.body)).toEqual({ response_type: 'ephemeral', text: ':warning: staging has no Flagger canary configured; environments with one: production.' });
    const unknown = await w.fd.slash('qa', 'U0DEV', { command: '/canary-status' });
    expect(JSON.parse(unknown.body).text).toMatch(/qa/);
    expect(JSON.parse(unknown.body).response_type).toBe('ephemeral');
    const tooMany = await w.fd.slash('prod backend extra', 'U0DEV', { command: '/canary-status' });
    expect(JSON.parse(tooMany.body).text).toContain('takes an environment and an app at most');
    expect(w.fd.world.slack.messages('C0DEPLOYS').filter((m) => !m.thread_ts)).toEqual([]);
  });
});
