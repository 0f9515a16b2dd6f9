// The closed vocabulary of what happens in a run, as data: workflows emit these, one recorder stores them, each sink words them.
import type { Problem } from './problems.js';
import type { RequestKind } from './types.js';

/** One app's version change as the events tell it. */
export interface ChangeLine {
  app: string;
  from: string | null;
  to: string;
}

/** Where a canary analysis stands, as Flightdeck reads it from the Flagger Canary. */
export type CanaryStage =
  | { stage: 'detecting' }
  | { stage: 'waiting-rollout' }
  | { stage: 'progressing'; weight: number; maxWeight: number | null; failedChecks: number; threshold: number | null; iterations: number }
  | { stage: 'waiting-promotion' }
  | { stage: 'promoting' }
  | { stage: 'finalising' }
  | { stage: 'other'; phase: string };

/** What happens to a deploy or rollback request, in the order it can happen. */
export type DeliveryEvent =
  | { type: 'requested'; kind: RequestKind; env: string; version: string; changes: ChangeLine[]; required: number }
  | { type: 'request-posted'; channel: string; ts: string; kind: RequestKind; env: string; version: string; requester: string }
  | { type: 'refused'; kind: RequestKind; env: string; version: string; problem: Problem }
  | { type: 'approved'; by: string; approvals: number; required: number }
  | { type: 'approval-refused'; by: string; problem: Problem }
  | { type: 'rejected'; by: string }
  | { type: 'withdrawn'; by: string }
  | { type: 'expired'; approvals: number; required: number }
  | { type: 'no-approval-needed'; env: string }
  | { type: 'commit-conflict'; attempt: number }
  | { type: 'committed'; repo: string; overlay: string; commitSha: string; changes: ChangeLine[]; url: string | null }
  | { type: 'commit-found'; commitSha: string }
  /** a person pressed Retry sync on a delivery that failed after its commit: it goes on from committed */
  | { type: 'sync-retried'; by: string; revision: string }
  | { type: 'sync-requested'; application: string; revision: string; initiatedBy: string; url: string | null }
  | { type: 'sync-auto'; application: string; revision: string; url: string | null }
  | { type: 'sync-busy'; application: string; phase: string; by: string | null }
  /** the Kubernetes API did not answer (down, hung): retried until the sync's deadline */
  | { type: 'cluster-unreachable'; application: string; detail: string; retryForMs: number }
  | { type: 'sync-progress'; application: string; phase: string | null; syncStatus: string; health: string }
  | { type: 'synced'; application: string; revision: string }
  | { type: 'canary-following'; canary: string; namespace: string; version: string }
  | { type: 'canary-unavailable'; canary: string; namespace: string; why: 'unreadable' | 'missing' | 'after-restart' | 'no-rollback-gate' }
  | { type: 'canary-abort-requested'; canary: string; version: string | null }
  | { type: 'canary-aborted'; canary: string; env: string; gitVersion: string | null }
  | { type: 'canary-progress'; canary: string; progress: CanaryStage }
  /** Flagger waits at a gate Flightdeck serves: people may press Promote canary or Abort canary (deploys) */
  | { type: 'canary-gate-waiting'; canary: string; env: string; appliedSpec: string | null; gate: 'rollout' | 'promotion' }
  /** an approved rollback opened the gate of its own canary analysis itself */
  | { type: 'canary-gate-opened'; canary: string; gate: 'rollout' | 'promotion' }
  | { type: 'canary-verdict'; canary: string; passed: boolean; initialised: boolean; failedChecks: number; message: string | null }
  | { type: 'deployment-created'; repo: string; app: string; deploymentId: number }
  | { type: 'succeeded'; kind: RequestKind; env: string; version: string; commitSha: string | null; canary: string | null }
  | { type: 'failed'; kind: RequestKind; env: string; version: string; problem: Problem };

/** Holds on environments ("stop the line"); `env` is "*" for all. */
export type LockEvent =
  | { type: 'locked'; env: string; reason: string; until: number | null; replaced: { owner: string; until: number | null } | null }
  | { type: 'unlocked'; env: string; previousOwner: string }
  | { type: 'lock-expired'; env: string; owner: string };

export type RunEvent = DeliveryEvent | LockEvent;

export type RunEventType = RunEvent['type'];

