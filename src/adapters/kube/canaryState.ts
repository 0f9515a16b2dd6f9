// Reads a Flagger Canary object (fluxcd/flagger pkg/apis/flagger/v1beta1) into the domain's CanaryState.
import type { CanaryState } from '../../ports.js';

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
