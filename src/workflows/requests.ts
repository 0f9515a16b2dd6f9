// Small lookups every request workflow needs: its environment, its Slack thread, its Argo CD Application.
import type { EnvironmentConfig } from '../config/schema.js';
import { UserError } from '../domain/errors.js';
import { policyFor } from '../domain/policy.js';
import type { DeployRequest } from '../domain/types.js';
import type { ArgoAppRef, ChatThread, RequestView } from '../ports.js';
import type { WorkflowDeps } from './context.js';

export function environmentOf(deps: WorkflowDeps, request: DeployRequest): EnvironmentConfig {
  const env = deps.config.environments.find((e) => e.name === request.env);
  if (!env) throw new UserError(`Environment ${request.env} is no longer configured.`);
  return env;
}

export function threadOf(request: DeployRequest): ChatThread {
  if (!request.messageTs) throw new Error(`request ${request.id} has no message`);
  return { channel: request.channel, ts: request.messageTs };
}

/** What the request message shows beyond the request: its approvers, the GitOps repo, the required checks. */
export function viewOf(deps: WorkflowDeps, request: DeployRequest): RequestView {
  const env = environmentOf(deps, request);
  const canary = request.canaryBaseline !== null && env.canary ? { canary: env.canary.name } : {};
  return { approvers: policyFor(env, request.kind).approvers, gitopsRepo: deps.config.gitops.repo, checks: env.gates.requiredChecks, ...canary };
}

export function argoRefOf(env: EnvironmentConfig): ArgoAppRef {
  return { name: env.argocd.application, namespace: env.argocd.namespace, ...(env.argocd.context ? { context: env.argocd.context } : {}) };
}

export async function refreshPendingGauge(deps: WorkflowDeps): Promise<void> {
  deps.metrics.pendingApprovals((await deps.store.listRequests(['pending'])).length);
}
