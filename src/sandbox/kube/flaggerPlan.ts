// The Flagger simulator's Canaries: the seeded object, and its analysis plan (stepWeight/maxWeight, the stepWeights list, or blue/green iterations).
import { promoted } from './flaggerStatus.js';

export interface SeedCanary {
  name: string;
  namespace: string;
  target?: { kind?: string; name: string };
  application?: { name: string; namespace?: string };
  maxWeight?: number;
  stepWeight?: number;
  threshold?: number;
  /** merged over the default analysis; a key set to null is removed (such as stepWeight for blue/green) */
  analysis?: Record<string, unknown>;
  /** spec.provider (the mesh); unset: Flagger's default */
  provider?: string;
}

/** A flagger.app/v1beta1 Canary as Flagger leaves it after promoting `hash` (phase Succeeded). */
export function seededCanary(input: SeedCanary, hash: string, at: string): any {
  const kind = input.target?.kind ?? 'Deployment';
  return {
    metadata: { name: input.name, namespace: input.namespace },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind, name: input.target?.name ?? input.name },
      service: { port: 9898 },
      ...(input.provider ? { provider: input.provider } : {}),
      analysis: withOverrides(
        {
          interval: '1m',
          threshold: input.threshold ?? 5,
          maxWeight: input.maxWeight ?? 50,
          stepWeight: input.stepWeight ?? 10,
          metrics: [
            { name: 'request-success-rate', thresholdRange: { min: 99 }, interval: '1m' },
            { name: 'request-duration', thresholdRange: { max: 500 }, interval: '1m' },
          ],
        },
        input.analysis,
      ),
    },
    status: {
      phase: 'Succeeded',
      canaryWeight: 0,
      iterations: 0,
      failedChecks: 0,
      lastAppliedSpec: hash,
      lastPromotedSpec: hash,
      lastTransitionTime: at,
      trackedConfigs: {},
      conditions: [{ type: 'Promoted', status: 'True', reason: 'Succeeded', message: promoted('Succeeded', kind).message, lastUpdateTime: at, lastTransitionTime: at }],
    },
  };
}

export interface PlanSettings {
  maxWeight: number;
  stepWeight: number;
  threshold: number;
  stepWeights: number[] | null;
  /** blue/green: the iterations to run (no weights set); null for weighted plans */
  iterations: number | null;
}

export function planSettings(canary: any): PlanSettings {
  const a = canary.spec?.analysis ?? {};
  const stepWeights: number[] | null = Array.isArray(a.stepWeights) && a.stepWeights.length > 0 ? a.stepWeights : null;
  // Blue/green: iterations and no weights at all.
  const iterations = typeof a.iterations === 'number' && a.stepWeight === undefined && a.maxWeight === undefined && !stepWeights ? a.iterations : null;
  return { maxWeight: stepWeights ? stepWeights.at(-1)! : (a.maxWeight ?? 50), stepWeight: a.stepWeight ?? 10, threshold: a.threshold ?? 5, stepWeights, iterations };
}

/** The weight after `current`: the next of stepWeights, else one stepWeight more up to maxWeight; blue/green stays 0. */
export function nextWeight(canary: any, current: number): number {
  const { maxWeight, stepWeight, stepWeights, iterations } = planSettings(canary);
  if (iterations !== null) return 0;
  if (stepWeights) return stepWeights.find((w) => w > current) ?? maxWeight;
  return Math.min(current + stepWeight, maxWeight);
}

/** The default analysis with overrides merged in; an override of null removes the key. */
export function withOverrides(base: Record<string, unknown>, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}
