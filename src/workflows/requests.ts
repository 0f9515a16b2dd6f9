// Small lookups every request workflow needs: its environment, where its events are told, its Argo CD Application.
import type { EnvironmentConfig } from '../domain/config.js';
import { UserError, type Problem } from '../domain/problems.js';
import { policyFor } from '../domain/policy.js';
import type { DeployRequest } from '../domain/types.js';
import type { Config } from '../domain/config.js';
import type { ArgoAppRef, ChatThread, RequestView, RunRef } from '../ports.js';
import type { WorkflowDeps } from './context.js';

/** The timer that expires a pending request after its TTL. */
export const EXPIRY_TIMER = 'request-expiry';

export function environmentOf(deps: WorkflowDeps, request: DeployRequest): EnvironmentConfig {
  const env = deps.config.environments.find((e) => e.name === request.env);
  if (!env) throw new UserError({ code: 'environment-gone', env: request.env });
  return env;
}

/** The run of a request as its events are told: in the thread of its message once that is posted. */
export function runOf(request: DeployRequest): RunRef {
  return { runId: request.id, thread: request.messageTs ? { channel: request.channel, ts: request.messageTs } : null };
}

/** What the request message shows beyond the request: its approvers, the GitOps repo, the required checks, links. */
export function viewOf(config: WorkflowDeps['config'], request: DeployRequest): RequestView {
  const env = config.environments.find((e) => e.name === request.env);
  if (!env) return { approvers: { users: [], groups: [] }, gitopsRepo: config.gitops.repo, checks: [] };
  // Before the commit, the config says whether the canary analyses an app the request changes; after it, the Canary did.
  const before = request.commitSha === null && env.canary !== undefined && canaryWatchesAny(config, env.canary.name, request.changes.map((c) => c.app));
  const canary = env.canary && (request.canaryBaseline !== null || before) ? { canary: env.canary.name } : {};
  const argo = env.argocd.url ? { argoUrl: argoAppUrl(env) } : {};
  return { approvers: policyFor(env, request.kind).approvers, gitopsRepo: config.gitops.repo, checks: env.gates.requiredChecks, ...canary, ...argo };
}

export function argoRefOf(env: EnvironmentConfig): ArgoAppRef {
  return { name: env.argocd.application, namespace: env.argocd.namespace, ...(env.argocd.context ? { context: env.argocd.context } : {}) };
}

/** The Argo CD UI page of the environment's Application, where `argocd.url` is configured. */
export function argoAppUrl(env: EnvironmentConfig): string | null {
  if (!env.argocd.url) return null;
  return `${env.argocd.url.replace(/\/+$/, '')}/applications/${encodeURIComponent(env.argocd.namespace)}/${encodeURIComponent(env.argocd.application)}`;
}

/** Whether a Canary named so would analyse one of the apps (its workload, else an app of that name), per the config. */
function canaryWatchesAny(config: Config, canary: string, apps: string[]): boolean {
  return config.apps.some((a) => apps.includes(a.name) && (a.workload?.name ?? a.name) === canary);
}

/**
 * Ends a request that will not be delivered (never posted, overtaken, held at a restart) as failed with the problem: the
 * transition from the state it is in, its expiry timer cancelled, the message shown and the event said. null when it had
 * moved on meanwhile.
 */
export async function endUndelivered(deps: WorkflowDeps, request: DeployRequest, problem: Problem): Promise<DeployRequest | null> {
  const failed = await deps.store.transition(request.id, request.state, 'failed', { outcome: { result: 'failed', problem } }, deps.clock.now());
  if (!failed) return null;
  await deps.store.cancel(EXPIRY_TIMER, request.id);
  deps.events.show(runOf(failed), failed);
  await deps.events.emit(runOf(failed), 'flightdeck', { type: 'failed', kind: failed.kind, env: failed.env, version: failed.version, problem });
  return failed;
}

const LINK_WAIT_MS = 2_000;

/** A link people can open to a thread, bounded: a slow or failing Slack leaves it out (null) rather than holding anything up. */
export function boundedPermalink(deps: WorkflowDeps, thread: ChatThread | null): Promise<string | null> {
  if (!thread) return Promise.resolve(null);
  const stop = new AbortController();
  return Promise.race([
    deps.chat.permalink(thread).catch(() => null),
    deps.clock.sleep(LINK_WAIT_MS, stop.signal).then(() => null, () => null),
  ]).finally(() => stop.abort());
}

export async function refreshPendingGauge(deps: WorkflowDeps): Promise<void> {
  deps.metrics.pendingApprovals((await deps.store.listRequests(['pending'])).length);
}
