// What Flightdeck reads of the cluster's objects (Argo CD Applications, Flagger Canaries), as plain data.

/** What Flightdeck reads of an Argo CD Application. */
export interface ArgoAppState {
  syncStatus: string;
  syncRevision: string | null;
  health: string;
  /** true while `operation` is set (requested or running) */
  operationPending: boolean;
  operationPhase: string | null;
  operationMessage: string | null;
  operationRevision: string | null;
  /** who asked for the newest operation (Argo CD's initiatedBy.username), when a person did */
  operationUser?: string | null;
  /** the object's resourceVersion: a write based on this state is conditional on it */
  resourceVersion?: string | null;
}


/** What Flightdeck reads of a Flagger Canary (fluxcd/flagger pkg/apis/flagger/v1beta1). */
export interface CanaryState {
  /** Initializing, Initialized, Waiting, Progressing, WaitingPromotion, Promoting, Finalising, Succeeded, Failed, Terminating, Terminated; '' before Flagger first reconciles it */
  phase: string;
  canaryWeight: number;
  iterations: number;
  failedChecks: number;
  /** hash of the target spec Flagger last started on: it changes when a new revision is detected */
  lastAppliedSpec: string | null;
  lastPromotedSpec: string | null;
  /** the Promoted condition's message */
  message: string | null;
  target: { kind: string; name: string } | null;
  maxWeight: number | null;
  stepWeight: number | null;
  threshold: number | null;
}

