// Pure rules about Flagger Canaries: the step plan, the weight bar, metric checks against thresholds, and unsupported targets.
import type { Config } from './config.js';
import type { CanaryState } from './clusterState.js';

/** One analysis metric of a Canary (spec.analysis.metrics[]). */
export interface CanaryMetric {
  name: string;
  /** thresholdRange.min / .max; null where the Canary sets none */
  min: number | null;
  max: number | null;
  interval: string | null;
  /** a MetricTemplate the metric reads (custom metrics); null for Flagger's built-ins */
  templateRef: { name: string; namespace: string | null } | null;
}

/** How a Canary moves traffic: by a fixed step up to a maximum, through a list of weights, or not at all (blue/green). */
export type CanaryPlan =
  | { kind: 'step'; stepWeight: number; maxWeight: number }
  | { kind: 'weights'; weights: number[] }
  | { kind: 'iterations'; iterations: number }
  | { kind: 'unknown' };

export function canaryPlan(input: { stepWeight: number | null; maxWeight: number | null; stepWeights?: number[] | undefined; analysisIterations?: number | null | undefined }): CanaryPlan {
  if (input.stepWeights && input.stepWeights.length > 0) return { kind: 'weights', weights: [...input.stepWeights] };
  // Flagger runs blue/green (or A/B) when the analysis sets iterations and no weights.
  if (input.analysisIterations && input.stepWeight === null && input.maxWeight === null) return { kind: 'iterations', iterations: input.analysisIterations };
  if (input.stepWeight !== null) return { kind: 'step', stepWeight: input.stepWeight, maxWeight: input.maxWeight ?? 100 };
  return { kind: 'unknown' };
}

/** The weight at which the plan ends: the last weight of the list, or maxWeight; null for blue/green. */
export function planMaxWeight(plan: CanaryPlan): number | null {
  if (plan.kind === 'step') return plan.maxWeight;
  if (plan.kind === 'weights') return plan.weights.at(-1) ?? null;
  return null;
}

/** The weights the plan passes through: 10, 20, … 50 for step 10 / max 50; the list itself for stepWeights. */
export function planSteps(plan: CanaryPlan): number[] {
  if (plan.kind === 'weights') return plan.weights;
  if (plan.kind !== 'step' || plan.stepWeight <= 0) return [];
  const steps: number[] = [];
  for (let w = plan.stepWeight; w < plan.maxWeight; w += plan.stepWeight) steps.push(w);
  steps.push(plan.maxWeight);
  return steps.slice(0, 100);
}

/** A text bar of `width` cells: filled in proportion to weight/max. */
export function weightBar(weight: number, max: number, width = 10): string {
  const ratio = max > 0 ? Math.min(1, Math.max(0, weight / max)) : 0;
  const filled = Math.round(ratio * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

export type MetricVerdict = 'pass' | 'fail' | 'unknown';

/** Whether a metric value is inside its threshold range (Flagger fails a check below min or above max). */
export function metricVerdict(value: number | null, metric: Pick<CanaryMetric, 'min' | 'max'>): MetricVerdict {
  if (value === null || !Number.isFinite(value)) return 'unknown';
  if (metric.min !== null && value < metric.min) return 'fail';
  if (metric.max !== null && value > metric.max) return 'fail';
  return 'pass';
}

/** Flagger analyses Deployments and DaemonSets only (and Knative Services and generic Services in special setups). */
const SUPPORTED_TARGETS = ['Deployment', 'DaemonSet', 'Service'];

export function isSupportedTarget(kind: string): boolean {
  return SUPPORTED_TARGETS.includes(kind);
}

/** A warning for the config loader, in its `{path, message}` shape. */
export interface CanaryConfigWarning {
  path: Array<string | number>;
  message: string;
}

/**
 * Environments whose canary targets a workload Flagger cannot analyse, as far as the config tells: the app whose
 * workload the canary is named after (apps[].workload, or an app of the canary's name) is a StatefulSet or another
 * kind Flagger does not support. The cluster may still say otherwise; /canary-status checks the live Canary too.
 */
export function canaryConfigWarnings(config: Pick<Config, 'apps' | 'environments'>): CanaryConfigWarning[] {
  const warnings: CanaryConfigWarning[] = [];
  config.environments.forEach((env, i) => {
    if (!env.canary) return;
    const name = env.canary.name;
    const app = config.apps.find((a) => (a.workload?.name ?? a.name) === name) ?? config.apps.find((a) => a.name === name);
    const kind = app?.workload?.kind;
    if (kind && !isSupportedTarget(kind)) {
      warnings.push({
        path: ['environments', i, 'canary', 'name'],
        message: `Flagger Canary "${name}" would target ${kind} ${app.workload?.name ?? app.name} (apps: ${app.name}), but Flagger analyses only Deployments and DaemonSets: its analysis can never run`,
      });
    }
  });
  return warnings;
}

/** What /canary-status reads of a Canary beyond what following a deploy needs. */
export interface CanaryDetail extends CanaryState {
  /** analysis.stepWeights, when the Canary steps through a list instead of stepWeight/maxWeight */
  stepWeights: number[];
  /** analysis.iterations: with no weights, a blue/green (or A/B) analysis of this many iterations */
  analysisIterations: number | null;
  metrics: CanaryMetric[];
  /** status.lastTransitionTime (RFC 3339) */
  lastTransitionTime: string | null;
  /** spec.provider: the mesh or ingress whose metrics the built-in checks query; null: Flagger's default (Istio) */
  provider: string | null;
}
