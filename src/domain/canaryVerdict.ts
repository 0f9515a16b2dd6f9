// Judges a Flagger Canary's analysis of a run's revision against the spec hash read before the commit.
import type { CanaryState } from './clusterState.js';
import type { CanaryStage } from './runEvents.js';

export type CanaryVerdict =
  | { done: true; passed: true; initialised: boolean }
  | { done: true; passed: false; deleted: boolean; failedChecks: number; message: string | null }
  | { done: false };

/** Judges one observed state of the canary against the hash it had before our commit. */
export function judgeCanary(state: CanaryState, baseline: string): CanaryVerdict {
  if ((state.lastAppliedSpec ?? '') === baseline) return { done: false }; // Flagger has not picked up the new revision yet
  switch (state.phase) {
    case 'Succeeded':
      return { done: true, passed: true, initialised: false };
    case 'Initialized':
      // A canary's first revision is promoted at initialisation, without an analysis.
      return { done: true, passed: true, initialised: true };
    case 'Failed':
      return { done: true, passed: false, deleted: false, failedChecks: state.failedChecks, message: state.message };
    case 'Terminating':
    case 'Terminated':
      return { done: true, passed: false, deleted: true, failedChecks: state.failedChecks, message: null };
    default:
      return { done: false };
  }
}

/** Where the analysis of our revision stands. */
export function canaryStage(state: CanaryState, baseline: string): CanaryStage {
  if ((state.lastAppliedSpec ?? '') === baseline) return { stage: 'detecting' };
  switch (state.phase) {
    case 'Progressing':
      return { stage: 'progressing', weight: state.canaryWeight, maxWeight: state.maxWeight, failedChecks: state.failedChecks, threshold: state.threshold, iterations: state.iterations };
    case 'Waiting':
      return { stage: 'waiting-rollout' };
    case 'WaitingPromotion':
      return { stage: 'waiting-promotion' };
    case 'Promoting':
      return { stage: 'promoting' };
    case 'Finalising':
      return { stage: 'finalising' };
    default:
      return { stage: 'other', phase: state.phase };
  }
}

/** Whether the canary's target is the workload of one of the apps a run changes. */
export function canaryTargetsAny(canary: CanaryState, canaryName: string, workloads: Array<{ kind: string; name: string }>): boolean {
  return workloads.some((w) => (canary.target ? canary.target.name === w.name && canary.target.kind === w.kind : canaryName === w.name));
}
