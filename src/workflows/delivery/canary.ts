// Step analysing -> succeeded | failed: follows the environment's Flagger Canary through its analysis of the run's revision.
import type { EnvironmentConfig } from '../../domain/config.js';
import { canaryStage, canaryTargetsAny, judgeCanary, type CanaryVerdict } from '../../domain/canaryVerdict.js';
import type { CanaryStage } from '../../domain/runEvents.js';
import type { DeployRequest } from '../../domain/types.js';
import type { CanaryRef, CanaryState } from '../../ports.js';
import type { StepContext, StepResult } from './step.js';
import { waitForObject } from './watchUntil.js';
import { CanaryRefusal } from '../../domain/canaryProblems.js';
import { openCanaryGate } from '../canaryGates.js';

export function canaryRefOf(env: EnvironmentConfig): CanaryRef | null {
  if (!env.canary) return null;
  const namespace = env.canary.namespace ?? env.namespace;
  if (!namespace) return null; // the config check demands one
  // The canary lives where the workload runs, which may be another cluster than Argo CD's.
  const context = env.cluster?.context ?? env.argocd.context;
  return { name: env.canary.name, namespace, ...(context ? { context } : {}) };
}

/**
 * Read just before the commit: the hash of the spec Flagger last started on. Flagger's analysis of this revision is the
 * first one with another hash. null when there is nothing to follow: no canary, or one that targets none of the apps
 * changed (its analysis would never start), or one that cannot be read (said in the thread; the deploy goes on).
 */
export async function canaryBaseline(ctx: StepContext, request: DeployRequest): Promise<string | null> {
  const { deps, env } = ctx;
  const ref = canaryRefOf(env);
  if (!ref) return null;
  let canary: CanaryState | null;
  try {
    canary = await deps.cluster.getCanary(ref);
  } catch (err) {
    deps.log.warn({ err, runId: request.id, canary: ref.name }, 'could not read the canary');
    await ctx.say({ type: 'canary-unavailable', canary: ref.name, namespace: ref.namespace, why: 'unreadable' });
    return null;
  }
  if (!canary) {
    await ctx.say({ type: 'canary-unavailable', canary: ref.name, namespace: ref.namespace, why: 'missing' });
    return null;
  }
  const changed = new Set(request.changes.filter((c) => c.from !== c.to).map((c) => c.app));
  const workloads = deps.config.apps.filter((a) => changed.has(a.name)).map((a) => a.workload ?? { kind: 'Deployment', name: a.name });
  return canaryTargetsAny(canary, ref.name, workloads) ? (canary.lastAppliedSpec ?? '') : null;
}

/**
 * Flagger waits at a gate Flightdeck serves. A deploy asks people (the thread shows Promote canary and Abort canary);
 * an approved rollback goes through its own gate at once: going back was what its approvers signed.
 */
async function atGate(ctx: StepContext, request: DeployRequest, gate: 'rollout' | 'promotion', appliedSpec: string | null): Promise<void> {
  const canary = ctx.env.canary!.name;
  if (request.kind === 'deploy') {
    await ctx.say({ type: 'canary-gate-waiting', canary, env: ctx.env.name, appliedSpec, gate });
    return;
  }
  // Flagger may not have asked this revision's gate yet: it asks on its next reconcile, so retry a few times.
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await openCanaryGate(ctx.deps, { env: ctx.env, gate: 'promote', user: request.requester, preApproved: true, shownSpec: appliedSpec });
      await ctx.say({ type: 'canary-gate-opened', canary, gate });
      return;
    } catch (err) {
      if (!(err instanceof CanaryRefusal) || err.problem.code !== 'canary-not-asked') throw err;
      await ctx.deps.clock.sleep(1_000, ctx.deps.shutdown);
    }
  }
}

/** Follows until the analysis of our revision succeeds or fails, or the canary's timeout. */
export async function followCanary(ctx: StepContext, request: DeployRequest): Promise<StepResult> {
  const { deps, env } = ctx;
  const ref = canaryRefOf(env);
  const application = env.argocd.application;
  // The environment no longer has the canary (the config changed since the commit): the sync decided it.
  if (!ref || !env.canary) return { end: { result: 'succeeded', application, canary: null } };
  const baseline = request.canaryBaseline ?? '';
  const timeout = env.canary.timeout;
  await ctx.say({ type: 'canary-following', canary: ref.name, namespace: ref.namespace, version: request.version });
  let verdict: CanaryVerdict = { done: false };
  let shown: CanaryStage | null = null;
  const gates = new Set<string>();
  const onState = (state: CanaryState): boolean => {
    verdict = judgeCanary(state, baseline);
    if (verdict.done) return true;
    const stage = canaryStage(state, baseline);
    if (JSON.stringify(stage) !== JSON.stringify(shown)) {
      shown = stage;
      void ctx.say({ type: 'canary-progress', canary: ref.name, progress: stage }).catch((err: unknown) => deps.log.warn({ err, runId: request.id }, 'could not record canary progress'));
    }
    const gate = stage.stage === 'waiting-promotion' ? 'promotion' : stage.stage === 'waiting-rollout' ? 'rollout' : null;
    const key = `${gate}:${state.lastAppliedSpec}`;
    if (gate && !gates.has(key)) {
      gates.add(key);
      void atGate(ctx, request, gate, state.lastAppliedSpec).catch((err: unknown) => deps.log.warn({ err, runId: request.id }, 'could not act on a canary gate'));
    }
    return false;
  };
  let reached: boolean;
  try {
    reached = await waitForObject(deps, (cb, signal) => deps.cluster.watchCanary(ref, cb, signal), onState, deps.clock.now() + timeout);
  } catch (err) {
    if (deps.shutdown.aborted) throw err;
    deps.log.warn({ err, runId: request.id, canary: ref.name }, 'canary watch ended');
    return { fail: { code: 'canary-lost', canary: ref.name, namespace: ref.namespace, env: env.name, detail: err instanceof Error ? err.message : String(err) } };
  }
  const final = verdict as CanaryVerdict;
  const lastSeen = shown === null ? null : (shown as CanaryStage).stage;
  if (!reached || !final.done) return { fail: { code: 'canary-timeout', canary: ref.name, afterMs: timeout, lastSeen } };
  if (!final.passed) {
    await ctx.say({ type: 'canary-verdict', canary: ref.name, passed: false, initialised: false, failedChecks: final.failedChecks, message: final.message });
    if (final.deleted) return { fail: { code: 'canary-deleted', canary: ref.name } };
    return { fail: { code: 'canary-failed', canary: ref.name, failedChecks: final.failedChecks, message: final.message, version: request.version, env: env.name, commitSha: request.commitSha ?? '' } };
  }
  await ctx.say({ type: 'canary-verdict', canary: ref.name, passed: true, initialised: final.initialised, failedChecks: 0, message: null });
  return { end: { result: 'succeeded', application, canary: { name: ref.name, initialised: final.initialised } } };
}
