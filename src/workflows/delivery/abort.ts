// Rollback rows of the delivery table: approved -> aborting (a canary still analysing is aborted through its rollback gate)
// and aborting -> succeeded once Flagger has routed all traffic back to the primary.
import { canaryTargetsAny } from '../../domain/canaryVerdict.js';
import type { DeployRequest } from '../../domain/types.js';
import type { CanaryState } from '../../ports.js';
import { openCanaryGate } from '../canaryGates.js';
import { canaryRefOf } from './canary.js';
import { commit } from './commit.js';
import type { StepContext, StepResult } from './step.js';
import { waitForObject } from './watchUntil.js';

/** Phases in which Flagger polls the rollback webhook: an analysis that can still be aborted. */
const ABORTABLE = new Set(['Progressing', 'Waiting', 'WaitingPromotion']);

/** approved: a deploy commits; a rollback first looks for a canary still analysing the version it takes back. */
export async function commitOrAbort(ctx: StepContext, request: DeployRequest): Promise<StepResult> {
  if (request.kind !== 'rollback' || ctx.resumed) return commit(ctx, request);
  const { deps, env } = ctx;
  const ref = canaryRefOf(env);
  if (!ref || !env.canary) return commit(ctx, request);
  const canary = await deps.cluster.getCanary(ref).catch(() => null);
  if (!canary || !ABORTABLE.has(canary.phase) || !targetsRolledBack(ctx, request, canary, ref.name)) return commit(ctx, request);
  try {
    await openCanaryGate(deps, { env, gate: 'rollback', user: request.requester, preApproved: true });
  } catch (err) {
    // Flagger's rollback webhook does not point at Flightdeck (or the revision moved on): go back in git instead.
    deps.log.info({ err, runId: request.id, canary: ref.name }, 'could not open the rollback gate; rolling back in git');
    await ctx.say({ type: 'canary-unavailable', canary: ref.name, namespace: ref.namespace, why: 'no-rollback-gate' });
    return commit(ctx, request);
  }
  const fromVersion = request.changes.find((c) => c.from !== null)?.from ?? null;
  await ctx.say({ type: 'canary-abort-requested', canary: ref.name, version: fromVersion });
  return { next: 'aborting', patch: { canaryBaseline: canary.lastAppliedSpec ?? '' } };
}

function targetsRolledBack(ctx: StepContext, request: DeployRequest, canary: CanaryState, name: string): boolean {
  const apps = new Set(request.changes.map((c) => c.app));
  const workloads = ctx.deps.config.apps.filter((a) => apps.has(a.name)).map((a) => a.workload ?? { kind: 'Deployment', name: a.name });
  return canaryTargetsAny(canary, name, workloads);
}

/** aborting: follows the canary until Flagger has rolled it back (phase Failed); git still names the version taken back. */
export async function followAbort(ctx: StepContext, request: DeployRequest): Promise<StepResult> {
  const { deps, env } = ctx;
  const ref = canaryRefOf(env);
  const application = env.argocd.application;
  if (!ref || !env.canary) return { fail: { code: 'canary-abort-timeout', canary: env.canary?.name ?? 'canary', afterMs: 0 } };
  let phase = '';
  const reached = await waitForObject(
    deps,
    (cb, signal) => deps.cluster.watchCanary(ref, cb, signal),
    (state: CanaryState) => {
      phase = state.phase;
      return state.phase === 'Failed' || state.phase === 'Succeeded' || state.phase === 'Initialized';
    },
    deps.clock.now() + env.canary.timeout,
  );
  if (!reached) return { fail: { code: 'canary-abort-timeout', canary: ref.name, afterMs: env.canary.timeout } };
  if (phase !== 'Failed') {
    // Flagger promoted it before it saw the gate: only git can take it back now.
    return { fail: { code: 'canary-promoted-first', canary: ref.name, env: env.name } };
  }
  const gitVersion = request.changes.find((c) => c.from !== null)?.from ?? null;
  await ctx.say({ type: 'canary-aborted', canary: ref.name, env: env.name, gitVersion });
  return { end: { result: 'succeeded', application, canary: { name: ref.name, initialised: false, aborted: true } } };
}
