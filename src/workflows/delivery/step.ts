// What a delivery step is given and what it answers: the next state to record, or how the run ended.
import type { EnvironmentConfig } from '../../domain/config.js';
import type { Problem } from '../../domain/problems.js';
import type { ActiveState } from '../../domain/requestStates.js';
import type { DeliveryEvent } from '../../domain/runEvents.js';
import type { DeployRequest, RequestOutcome } from '../../domain/types.js';
import type { ArgoAppState, RunRef } from '../../ports.js';
import type { WorkflowDeps } from '../context.js';

export interface StepContext {
  deps: WorkflowDeps;
  run: RunRef;
  env: EnvironmentConfig;
  /** carried over from a stopped process: earlier steps may already have had their effect */
  resumed: boolean;
  /** the Application as read alongside the commit, so the sync request needs no read of its own */
  application?: Promise<ArgoAppState | null>;
  say(event: DeliveryEvent): Promise<void>;
}

export type StepResult =
  | { next: ActiveState; patch?: Partial<Pick<DeployRequest, 'commitSha' | 'canaryBaseline'>> }
  | { end: Extract<RequestOutcome, { result: 'succeeded' }> }
  | { fail: Problem };

export type Step = (ctx: StepContext, request: DeployRequest) => Promise<StepResult>;
