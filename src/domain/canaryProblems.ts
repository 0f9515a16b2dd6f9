// Why a canary command or button was refused, as data (to join the shared Problem union at integration); the edge words it.
import { UserError, type AudienceRef, type Problem } from './problems.js';
import type { GateKind } from './canaryGates.js';

export type CanaryProblemOnly =
  | { code: 'canary-usage'; got: string }
  | { code: 'no-canaries'; env: string | null; withCanary: string[] }
  | { code: 'canary-not-for-app'; app: string; env: string | null }
  | { code: 'not-canary-approver'; env: string; gate: GateKind; approvers: AudienceRef }
  | { code: 'canary-moved-on'; canary: string; shown: string | null; now: string | null }
  | { code: 'canary-not-asked'; canary: string; gate: GateKind }
  | { code: 'canary-unreadable'; canary: string; namespace: string; reason: 'missing' | 'no-crd' | 'error'; detail?: string }
  | { code: 'canary-gate-approved'; canary: string; gate: GateKind };

/** A canary problem, or any of the shared ones (unknown environment, unknown app): the shared union holds them all. */
export type CanaryProblem = Problem;

/** Thrown by the canary workflows: a UserError like every refusal; the edge words the problem for the person. */
export class CanaryRefusal extends UserError {}
