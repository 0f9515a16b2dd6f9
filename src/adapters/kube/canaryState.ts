// Reads a Flagger Canary object (fluxcd/flagger pkg/apis/flagger/v1beta1) into the domain's CanaryState.
import type { CanaryDetail, CanaryMetric } from '../../domain/canary.js';
import type { CanaryState, MetricTemplateSpec } from '../../ports.js';

/** The fields of a Canary Flightdeck reads; all optional, as Flagger fills status in only once it has reconciled. */
export interface CanaryObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: {
    targetRef?: { kind?: string; name?: string };
    /** `analysis` since v1beta1; `canaryAnalysis` in older objects */
    analysis?: { maxWeight?: number; stepWeight?: number; threshold?: number };
    canaryAnalysis?: { maxWeight?: number; stepWeight?: number; threshold?: number };
  };
  status?: {
    phase?: string;
    canaryWeight?: number;
    iterations?: number;
    failedChecks?: number;
    lastAppliedSpec?: string;
    lastPromotedSpec?: string;
    conditions?: Array<{ type?: string; message?: string }>;
  };
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

export function toCanaryState(canary: CanaryObject): CanaryState {
  const analysis = canary.spec?.analysis ?? canary.spec?.canaryAnalysis;
  const status = canary.status;
  const target = canary.spec?.targetRef?.name ? { kind: canary.spec.targetRef.kind ?? 'Deployment', name: canary.spec.targetRef.name } : null;
  return {
    phase: status?.phase ?? '',
    canaryWeight: num(status?.canaryWeight) ?? 0,
    iterations: num(status?.iterations) ?? 0,
    failedChecks: num(status?.failedChecks) ?? 0,
    lastAppliedSpec: status?.lastAppliedSpec || null,
    lastPromotedSpec: status?.lastPromotedSpec || null,
    message: status?.conditions?.find((c) => c.type === 'Promoted')?.message ?? null,
    target,
    maxWeight: num(analysis?.maxWeight),
    stepWeight: num(analysis?.stepWeight),
    threshold: num(analysis?.threshold),
  };
}

/** The analysis fields /canary-status shows (spec.analysis of flagger.app/v1beta1), loosely typed as the API returns them. */
interface AnalysisObject {
  stepWeights?: unknown;
  iterations?: unknown;
  metrics?: Array<{ name?: unknown; interval?: unknown; thresholdRange?: { min?: unknown; max?: unknown }; templateRef?: { name?: unknown; namespace?: unknown } }>;
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The Canary with its analysis plan and metrics, for /canary-status. */
export function toCanaryDetail(canary: CanaryObject): CanaryDetail {
  const spec = canary.spec as (CanaryObject['spec'] & { provider?: unknown; analysis?: AnalysisObject; canaryAnalysis?: AnalysisObject }) | undefined;
  const analysis: AnalysisObject = spec?.analysis ?? spec?.canaryAnalysis ?? {};
  const stepWeights = Array.isArray(analysis.stepWeights) ? analysis.stepWeights.map(num).filter((w): w is number => w !== null) : [];
  const metrics: CanaryMetric[] = (Array.isArray(analysis.metrics) ? analysis.metrics : []).map((m) => ({
    name: str(m.name) ?? '(unnamed)',
    min: num(m.thresholdRange?.min),
    max: num(m.thresholdRange?.max),
    interval: str(m.interval),
    templateRef: str(m.templateRef?.name) ? { name: str(m.templateRef?.name)!, namespace: str(m.templateRef?.namespace) } : null,
  }));
  const status = canary.status as (CanaryObject['status'] & { lastTransitionTime?: unknown }) | undefined;
  return {
    ...toCanaryState(canary),
    stepWeights,
    analysisIterations: num(analysis.iterations),
    metrics,
    lastTransitionTime: str(status?.lastTransitionTime),
    provider: str(spec?.provider),
  };
}

/** A MetricTemplate object (flagger.app/v1beta1) as far as Flightdeck reads it. */
export interface MetricTemplateObject {
  spec?: { provider?: { type?: unknown; address?: unknown }; query?: unknown };
}

export function toMetricTemplate(template: MetricTemplateObject): MetricTemplateSpec | null {
  const query = str(template.spec?.query);
  if (!query) return null;
  return { providerType: str(template.spec?.provider?.type) ?? 'prometheus', address: str(template.spec?.provider?.address), query };
}
