// What a followed canary does, as data: the follow hub emits these to each following thread, and each sink words them.
import type { GateKind } from './canaryGates.js';

export interface CanaryName {
  env: string;
  canary: string;
  namespace: string;
}

export type CanaryFollowEvent =
  | { type: 'follow-started'; canary: CanaryName; phase: string; weight: number; maxWeight: number | null }
  | { type: 'follow-idle'; canary: CanaryName; phase: string }
  | { type: 'already-following'; canary: CanaryName }
  | { type: 'weight-step'; canary: CanaryName; weight: number; maxWeight: number | null; iterations: number }
  | { type: 'iteration'; canary: CanaryName; iterations: number; target: number | null }
  | { type: 'gate-waiting'; canary: CanaryName; gate: 'rollout' | 'promotion' }
  | { type: 'checks-failed'; canary: CanaryName; failedChecks: number; threshold: number | null }
  | { type: 'promoting'; canary: CanaryName; phase: 'Promoting' | 'Finalising' }
  | { type: 'verdict'; canary: CanaryName; passed: boolean; phase: string; failedChecks: number; message: string | null }
  | { type: 'follow-lost'; canary: CanaryName; detail: string }
  | { type: 'gate-opened'; canary: CanaryName; gate: GateKind; by: string[] }
  | { type: 'gate-approval'; canary: CanaryName; gate: GateKind; by: string; approvals: number; required: number };

export type CanaryFollowEventType = CanaryFollowEvent['type'];
