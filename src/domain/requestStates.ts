// The deploy request state machine, written down once: which moves are allowed, which states are final, which resume after a restart.
import type { ProblemCode } from './problems.js';
import type { DeployRequest, RequestState } from './types.js';

/** Allowed moves from each state. */
export const TRANSITIONS: Readonly<Record<RequestState, readonly RequestState[]>> = {
  pending: ['approved', 'rejected', 'expired', 'failed'],
  approved: ['committed', 'aborting', 'failed'],
  committed: ['syncing', 'succeeded', 'failed'],
  syncing: ['analysing', 'succeeded', 'failed'],
  analysing: ['succeeded', 'failed'],
  aborting: ['succeeded', 'failed'],
  succeeded: [],
  // only a sync that failed after its commit, asked again (retrySync): the commit is in git, Argo CD is asked anew
  failed: ['committed'],
  rejected: [],
  expired: [],
};

/** Final unless a person asks again: a failed sync can be retried (failed -> committed); nothing else moves. */
export const TERMINAL_STATES: readonly RequestState[] = ['succeeded', 'failed', 'rejected', 'expired'];

/** States of work in flight: delivery resumes them after a restart. */
export const ACTIVE_STATES = ['approved', 'committed', 'syncing', 'analysing', 'aborting'] as const satisfies readonly RequestState[];

export type ActiveState = (typeof ACTIVE_STATES)[number];

export function isActive(state: RequestState): state is ActiveState {
  return (ACTIVE_STATES as readonly RequestState[]).includes(state);
}

export function canTransition(from: RequestState, to: RequestState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isTerminal(state: RequestState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** Throws when the move is not allowed: a bug in the caller, not a user mistake. */
export function assertTransition(from: RequestState, to: RequestState): void {
  if (!canTransition(from, to)) throw new Error(`request state cannot move from ${from} to ${to}`);
}

/**
 * Failures after the commit that another sync may cure: the change is in git, and Argo CD did not apply it (the cluster
 * did not answer, the sync timed out, another operation kept it busy, or the sync operation itself failed).
 */
export const SYNC_RETRYABLE = ['cluster-unreachable', 'sync-timeout', 'argo-kept-busy', 'sync-failed'] as const satisfies readonly ProblemCode[];

/** Whether the request is a failed delivery whose sync may be asked again (see SYNC_RETRYABLE). */
export function canRetrySync(request: Pick<DeployRequest, 'state' | 'commitSha' | 'outcome'>): boolean {
  return (
    request.state === 'failed' &&
    request.commitSha !== null &&
    request.outcome?.result === 'failed' &&
    (SYNC_RETRYABLE as readonly ProblemCode[]).includes(request.outcome.problem.code)
  );
}
