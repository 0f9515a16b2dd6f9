// Reads an Argo CD Application object (argo-cd pkg/apis/application/v1alpha1/types.go) into the domain's ArgoAppState.
import type { ArgoAppState } from '../../ports.js';

/** The fields of an Application Flightdeck reads; everything optional, as a partially reconciled app may lack them. */
export interface ApplicationObject {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string> };
  operation?: { initiatedBy?: { username?: string; automated?: boolean }; sync?: { revision?: string } } | null;
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string };
    operationState?: {
      phase?: string;
      message?: string;
      startedAt?: string;
      operation?: { initiatedBy?: { username?: string; automated?: boolean }; sync?: { revision?: string } };
      syncResult?: { revision?: string };
    };
  };
}

const FINISHED = new Set(['Succeeded', 'Failed', 'Error']);

/**
 * `operationRevision` is the revision of the newest operation: the one in `.operation` while it is requested or
 * running, else the last finished one's (syncResult, or the revision it asked for).
 */
export function toArgoAppState(app: ApplicationObject): ArgoAppState {
  const state = app.status?.operationState;
  const pending = app.operation !== undefined && app.operation !== null;
  const revision = pending
    ? (app.operation?.sync?.revision ?? state?.operation?.sync?.revision ?? null)
    : (state?.syncResult?.revision ?? state?.operation?.sync?.revision ?? null);
  return {
    syncStatus: app.status?.sync?.status ?? 'Unknown',
    syncRevision: app.status?.sync?.revision ?? null,
    health: app.status?.health?.status ?? 'Unknown',
    operationPending: pending,
    // While `.operation` is set, a finished phase belongs to the previous operation: the new one has not started.
    operationPhase: pending && state?.phase && FINISHED.has(state.phase) ? null : (state?.phase ?? null),
    operationMessage: pending && state?.phase && FINISHED.has(state.phase) ? null : (state?.message ?? null),
    operationRevision: revision,
    operationUser: (pending ? app.operation?.initiatedBy?.username : state?.operation?.initiatedBy?.username) ?? null,
    resourceVersion: app.metadata?.resourceVersion ?? null,
  };
}

/** The operation that keeps a sync from being requested now (requested or running), or null when the app is free. */
export function busyWith(app: ApplicationObject): { phase: string; by: string | null } | null {
  const state = app.status?.operationState;
  const pending = app.operation !== undefined && app.operation !== null;
  if (!pending && state?.phase !== 'Running') return null;
  const phase = state?.phase === 'Running' || !pending ? (state?.phase ?? 'Running') : 'requested, not started yet';
  const initiatedBy = (pending ? app.operation?.initiatedBy : undefined) ?? state?.operation?.initiatedBy;
  return { phase, by: initiatedBy?.username ?? (initiatedBy?.automated ? null : 'unknown') };
}

/** The parts of an Application a sync request needs, rebuilt from a state read earlier (its resourceVersion makes the write conditional). */
export function fromState(state: ArgoAppState): ApplicationObject {
  const by = state.operationUser ? { username: state.operationUser } : { automated: true };
  return {
    metadata: { resourceVersion: state.resourceVersion ?? '' },
    operation: state.operationPending ? { initiatedBy: by, sync: { revision: state.operationRevision ?? '' } } : null,
    status: { operationState: { ...(state.operationPhase ? { phase: state.operationPhase } : {}), operation: { initiatedBy: by } } },
  };
}
