// Judges an Argo CD Application's state against the revision a run asked for: still going, synced and healthy, or failed why.
import type { ArgoAppState } from './clusterState.js';
import type { Problem } from './problems.js';

export type SyncVerdict = { done: true; ok: true } | { done: true; ok: false; problem: Problem } | { done: false };

/** Judges one observed state of the Application `application` against the revision we asked for. */
export function judgeSync(state: ArgoAppState, revision: string, application: string): SyncVerdict {
  const ours = state.operationRevision === revision;
  if (ours && !state.operationPending && (state.operationPhase === 'Failed' || state.operationPhase === 'Error')) {
    return { done: true, ok: false, problem: { code: 'sync-failed', application, phase: state.operationPhase, message: state.operationMessage } };
  }
  if (state.operationPending || state.operationPhase === 'Running') return { done: false };
  // Our operation finished, or the app is synced to our commit. (The branch may have moved on since: Argo CD then
  // compares against the newer head, so sync.revision alone would never match again.)
  const applied = (ours && state.operationPhase === 'Succeeded') || (state.syncRevision === revision && state.syncStatus === 'Synced');
  if (!applied) return { done: false };
  if (state.health === 'Healthy') return { done: true, ok: true };
  if (state.health === 'Degraded' || state.health === 'Missing') return { done: true, ok: false, problem: { code: 'unhealthy', application, health: state.health } };
  return { done: false };
}

/** Where a sync of our revision stands, for a progress line; null while nothing about our revision is visible yet. */
export function syncProgress(state: ArgoAppState, revision: string): { phase: string | null; syncStatus: string; health: string } | null {
  const ours = state.operationRevision === revision || state.syncRevision === revision;
  if (!ours) return null;
  const phase = state.operationPhase ?? (state.operationPending ? 'Requested' : null);
  return { phase, syncStatus: state.syncStatus, health: state.health };
}

/** True when Argo CD is free to take a new operation. */
export function isArgoFree(state: ArgoAppState): boolean {
  return !state.operationPending && state.operationPhase !== 'Running';
}
