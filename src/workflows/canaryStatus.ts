// `/canary-status`: reads each asked environment's Flagger Canary, its plan, metrics (with Prometheus values) and gates, as typed data.
import { canaryPlan, isSupportedTarget, metricVerdict, type CanaryDetail, type CanaryMetric, type CanaryPlan, type MetricVerdict } from '../domain/canary.js';
import type { CanaryGate } from '../domain/canaryGates.js';
import { builtinQuery, isBuiltinMetric, renderQuery, type QueryModel } from '../domain/canaryQueries.js';
import type { EnvironmentConfig } from '../domain/config.js';
import type { CanaryRef } from '../ports.js';
import { canaryRefOfEnv, type CanaryDeps } from './canaryGates.js';

/** Why a metric has no value: no Prometheus configured, Prometheus down or slow, no samples, or a query Flightdeck cannot build. */
export type MetricGap = 'no-prometheus' | 'unreachable' | 'no-data' | 'unknown-provider' | 'no-template';

export interface MetricReading {
  metric: CanaryMetric;
  value: number | null;
  verdict: MetricVerdict;
  gap: MetricGap | null;
}

export type CanaryStatusEntry =
  | { env: string; ref: CanaryRef; found: false; why: 'missing' | 'no-crd' | 'error'; detail: string | null }
  | {
      env: string;
      ref: CanaryRef;
      found: true;
      canary: CanaryDetail;
      plan: CanaryPlan;
      /** a targetRef kind Flagger cannot analyse (StatefulSet, …), else null */
      unsupportedTarget: string | null;
      metrics: MetricReading[];
      /** the gates of the revision now analysed, where Flagger has asked for them */
      gates: { promote: CanaryGate | null; rollback: CanaryGate | null; asked: boolean };
    };

export interface CanaryStatusReport {
  at: number;
  entries: CanaryStatusEntry[];
}

/** Phases in which an analysis is under way (the buttons and Follow make sense). */
export const ACTIVE_PHASES = ['Initializing', 'Waiting', 'Progressing', 'WaitingPromotion', 'Promoting', 'Finalising'];

export async function canaryStatus(deps: CanaryDeps, envs: EnvironmentConfig[]): Promise<CanaryStatusReport> {
  const entries = await Promise.all(envs.map((env) => entryOf(deps, env)));
  return { at: deps.clock.now(), entries: entries.filter((e): e is CanaryStatusEntry => e !== null) };
}

async function entryOf(deps: CanaryDeps, env: EnvironmentConfig): Promise<CanaryStatusEntry | null> {
  const ref = canaryRefOfEnv(env);
  if (!ref) return null;
  let lookup;
  try {
    lookup = await deps.cluster.lookupCanary(ref);
  } catch (err) {
    deps.log.warn({ err, canary: ref.name, namespace: ref.namespace }, 'could not read the canary');
    return { env: env.name, ref, found: false, why: 'error', detail: err instanceof Error ? err.message : String(err) };
  }
  if (!lookup.found) return { env: env.name, ref, found: false, why: lookup.why, detail: null };
  const canary = lookup.canary;
  const kind = canary.target?.kind ?? 'Deployment';
  const [metrics, gates] = await Promise.all([readMetrics(deps, ref, canary), gatesOf(deps, ref, canary)]);
  return { env: env.name, ref, found: true, canary, plan: canaryPlan(canary), unsupportedTarget: isSupportedTarget(kind) ? null : kind, metrics, gates };
}

async function gatesOf(deps: CanaryDeps, ref: CanaryRef, canary: CanaryDetail): Promise<{ promote: CanaryGate | null; rollback: CanaryGate | null; asked: boolean }> {
  if (!canary.lastAppliedSpec) return { promote: null, rollback: null, asked: false };
  if (!ACTIVE_PHASES.includes(canary.phase)) {
    // The revision ended: its gates close (Flagger will not ask about it again).
    await deps.store.endCanaryRevisions(ref.namespace, ref.name, canary.lastAppliedSpec);
    return { promote: null, rollback: null, asked: false };
  }
  const checksum = await deps.store.canaryChecksumOf(ref.namespace, ref.name, canary.lastAppliedSpec);
  if (!checksum) return { promote: null, rollback: null, asked: false };
  const key = { namespace: ref.namespace, canary: ref.name, checksum };
  const [promote, rollback] = await Promise.all([deps.store.canaryGate({ ...key, gate: 'promote' }), deps.store.canaryGate({ ...key, gate: 'rollback' })]);
  return { promote, rollback, asked: true };
}

/** Every metric's current value, each query bounded by the Prometheus client's timeout; a failure is a gap, never an error. */
async function readMetrics(deps: CanaryDeps, ref: CanaryRef, canary: CanaryDetail): Promise<MetricReading[]> {
  return Promise.all(
    canary.metrics.map(async (metric): Promise<MetricReading> => {
      const gap = (g: MetricGap): MetricReading => ({ metric, value: null, verdict: 'unknown', gap: g });
      if (!deps.metricsQuery) return gap('no-prometheus');
      const model: QueryModel = {
        name: ref.name,
        namespace: ref.namespace,
        target: canary.target?.name ?? ref.name,
        service: canary.target?.name ?? ref.name,
        ingress: '',
        interval: metric.interval ?? '1m',
      };
      let query: string | null;
      let address: string | null = null;
      if (metric.templateRef) {
        const template = await deps.cluster
          .getMetricTemplate({ ...ref, name: metric.templateRef.name, namespace: metric.templateRef.namespace ?? ref.namespace })
          .catch(() => null);
        if (!template || template.providerType !== 'prometheus') return gap('no-template');
        query = renderQuery(template.query, model);
        address = template.address;
      } else if (isBuiltinMetric(metric.name)) {
        query = builtinQuery(canary.provider, metric.name, model);
        if (!query) return gap('unknown-provider');
      } else return gap('no-template');
      try {
        const value = await deps.metricsQuery.instant(query, { address });
        return value === null ? gap('no-data') : { metric, value, verdict: metricVerdict(value, metric), gap: null };
      } catch (err) {
        deps.log.warn({ err, metric: metric.name, canary: ref.name }, 'prometheus query failed');
        return gap('unreachable');
      }
    }),
  );
}
