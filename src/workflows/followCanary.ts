// Follows the environment's Flagger Canary through its analysis of a request's revision and says how it ended.
import { escapeMrkdwn } from '../adapters/slack/mrkdwn.js';
import type { Config, EnvironmentConfig } from '../config/schema.js';
import { UserError } from '../domain/errors.js';
import type { DeployRequest } from '../domain/types.js';
import type { CanaryRef, CanaryState } from '../ports.js';
import { recordStep, type WorkflowDeps } from './context.js';
import { waitForObject } from './argoWait.js';
import { environmentOf } from './requests.js';
import type { ThreadUpdates } from './threadUpdates.js';

export function canaryRefOf(env: EnvironmentConfig): CanaryRef | null {
  if (!env.canary) return null;
  const namespace = env.canary.namespace ?? env.namespace;
  if (!namespace) return null; // the config check demands one
  // The canary lives where the workload runs, which may be another cluster than Argo CD's.
  const context = env.cluster?.context ?? env.argocd.context;
  return { name: env.canary.name, namespace, ...(context ? { context } : {}) };
}

/** Whether the canary's target is the workload of an app this request changes. */
function targetsChangedApp(config: Config, request: DeployRequest, canary: CanaryState, canaryName: string): boolean {
  const changed = request.changes.filter((c) => c.from !== c.to).map((c) => c.app);
  return config.apps
    .filter((app) => changed.includes(app.name))
    .some((app) => {
      const workload = app.workload ?? { kind: 'Deployment', name: app.name };
      return canary.target ? canary.target.name === workload.name && canary.target.kind === workload.kind : canaryName === app.name;
    });
}

/**
 * Read just before the commit: the hash of the spec Flagger last started on. Flagger's analysis of this revision is the
 * first one with another hash. null when there is nothing to follow: no canary, or one that targets none of the apps
 * changed (its analysis would never start), or one that cannot be read (said in the thread; the deploy goes on).
 */
export async function canaryBaseline(deps: WorkflowDeps, request: DeployRequest, updates: ThreadUpdates): Promise<string | null> {
  const env = environmentOf(deps, request);
  const ref = canaryRefOf(env);
  if (!ref) return null;
  let canary: CanaryState | null;
  try {
    canary = await deps.cluster.getCanary(ref);
  } catch (err) {
    deps.log.warn({ err, runId: request.id, canary: ref.name }, 'could not read the canary');
    updates.say(`:warning: Could not read Flagger Canary ${ref.namespace}/${ref.name}; this deploy goes on without following its analysis.`);
    return null;
  }
  if (!canary) {
    updates.say(`:warning: Flagger Canary ${ref.namespace}/${ref.name} does not exist; this deploy goes on without a canary analysis to follow.`);
    return null;
  }
  return targetsChangedApp(deps.config, request, canary, ref.name) ? (canary.lastAppliedSpec ?? '') : null;
}

type CanaryVerdict = { done: true; ok: true; outcome: string } | { done: true; ok: false; reason: string } | { done: false };

/** Judges one observed state of the canary against the spec hash it had before our commit. */
export function judgeCanary(state: CanaryState, baseline: string): CanaryVerdict {
  if ((state.lastAppliedSpec ?? '') === baseline) return { done: false }; // Flagger has not picked up the new revision yet
  switch (state.phase) {
    case 'Succeeded':
      return { done: true, ok: true, outcome: 'canary analysis passed and Flagger promoted it' };
    case 'Initialized':
      // A canary's first revision is promoted at initialisation, without an analysis.
      return { done: true, ok: true, outcome: 'Flagger initialised the canary (a first revision has no analysis)' };
    case 'Failed': {
      const checks = state.failedChecks > 0 ? ` after ${state.failedChecks} failed check${state.failedChecks === 1 ? '' : 's'}` : '';
      return { done: true, ok: false, reason: `Flagger's canary analysis failed${checks}: ${escapeMrkdwn(state.message ?? 'no message')}` };
    }
    case 'Terminating':
    case 'Terminated':
      return { done: true, ok: false, reason: 'the Flagger Canary was deleted during its analysis' };
    default:
      return { done: false };
  }
}

/** One line on where the analysis stands, for the thread. */
export function describeCanary(state: CanaryState, baseline: string): string {
  if ((state.lastAppliedSpec ?? '') === baseline) return 'waiting for Flagger to detect the new revision';
  const of = state.maxWeight !== null ? ` of ${state.maxWeight}%` : '';
  switch (state.phase) {
    case 'Progressing': {
      const checks = state.failedChecks > 0 ? `, ${state.failedChecks}${state.threshold !== null ? `/${state.threshold}` : ''} failed checks` : '';
      return `analysis progressing: ${state.canaryWeight}%${of} of traffic on the canary${checks}`;
    }
    case 'Waiting':
      return 'waiting for approval to start the analysis (confirm-rollout gate)';
    case 'WaitingPromotion':
      return 'analysis passed; waiting for approval to promote (confirm-promotion gate)';
    case 'Promoting':
      return 'analysis passed; promoting the canary to primary';
    case 'Finalising':
      return 'routing all traffic to the promoted primary';
    default:
      return state.phase ? `phase ${escapeMrkdwn(state.phase)}` : 'waiting for Flagger';
  }
}

/**
 * Follows until the analysis of our revision succeeds or fails, or the canary's timeout. Returns how it ended, or null
 * when the environment no longer has the canary (the config changed since the commit).
 */
export async function followCanary(deps: WorkflowDeps, request: DeployRequest, updates: ThreadUpdates): Promise<string | null> {
  const env = environmentOf(deps, request);
  const ref = canaryRefOf(env);
  if (!ref || !env.canary) return null;
  const baseline = request.canaryBaseline ?? '';
  const timeout = env.canary.timeout;
  updates.say(`:hatching_chick: Following Flagger Canary ${ref.name}: its analysis decides whether ${request.version} is promoted to all traffic.`);
  await recordStep(deps, request.id, 'flightdeck', 'canary-following', { canary: ref.name, namespace: ref.namespace });
  let verdict: CanaryVerdict = { done: false };
  let lastShown = '';
  const onState = (state: CanaryState): boolean => {
    verdict = judgeCanary(state, baseline);
    if (verdict.done) return true;
    const shown = describeCanary(state, baseline);
    if (shown !== lastShown) {
      lastShown = shown;
      updates.say(`:hourglass_flowing_sand: canary ${ref.name}: ${shown}`);
    }
    return false;
  };
  let reached: boolean;
  try {
    reached = await waitForObject(deps, (cb, signal) => deps.cluster.watchCanary(ref, cb, signal), onState, deps.clock.now() + timeout);
  } catch (err) {
    if (deps.shutdown.aborted) throw err;
    deps.log.warn({ err, runId: request.id, canary: ref.name }, 'canary watch ended');
    throw new UserError(`Lost sight of Flagger Canary ${ref.namespace}/${ref.name} (${escapeMrkdwn(err instanceof Error ? err.message : String(err))}); check it with \`/canary-status ${env.name}\`.`);
  }
  const final = verdict as CanaryVerdict;
  if (!reached || !final.done) {
    throw new UserError(`Timed out after ${Math.round(timeout / 60_000)} min waiting for Flagger Canary ${ref.name} to finish its analysis (last seen: ${lastShown || 'no change'}).`);
  }
  if (!final.ok) {
    await recordStep(deps, request.id, 'flagger', 'canary-failed', { canary: ref.name, reason: final.reason });
    throw new UserError(`${final.reason} Traffic is back on the previous version, but git still names ${request.version} for ${env.name}: revert commit \`${(request.commitSha ?? '').slice(0, 7)}\` so that git matches what runs.`);
  }
  await recordStep(deps, request.id, 'flagger', 'canary-succeeded', { canary: ref.name });
  return final.outcome;
}
