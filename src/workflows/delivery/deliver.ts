// Delivery as a state table: each active request state names the step that runs next; one place records how it ended.
import { UserError, type Problem } from '../../domain/problems.js';
import { isActive, type ActiveState } from '../../domain/requestStates.js';
import type { DeployRequest, RequestOutcome } from '../../domain/types.js';
import type { WorkflowDeps } from '../context.js';
import { environmentOf, runOf } from '../requests.js';
import { closeOvertaken } from '../overtaken.js';
import { followCanary } from './canary.js';
import { commitOrAbort, followAbort } from './abort.js';
import { underRunLease } from './lease.js';
import type { Step, StepContext } from './step.js';
import { followSync, requestSync } from './sync.js';

/**
 * approved  -> commitOrAbort  -> committed  (one optimistic commit to the overlay)
 *                             -> aborting   (a rollback of a canary still analysing: its rollback gate opened)
 * committed -> requestSync    -> syncing    (Argo CD asked to sync, or an auto-sync followed)
 * syncing   -> followSync     -> analysing  (a Flagger canary analyses the revision) or succeeded
 * analysing -> followCanary   -> succeeded or failed
 * aborting  -> followAbort    -> succeeded (Flagger routed all traffic back to the primary) or failed
 * Any step may end the run as failed; a stop for shutdown leaves the state as it is, and the next start resumes there.
 */
export const DELIVERY: Readonly<Record<ActiveState, Step>> = {
  approved: commitOrAbort,
  committed: requestSync,
  syncing: followSync,
  analysing: followCanary,
  aborting: followAbort,
};

/**
 * Runs a request from wherever it stands to succeeded or failed, while this replica holds the run's lease (lease.ts);
 * when another replica drives it, returns the request as stored. `resumed` marks a run carried over from a stopped process.
 */
export async function deliver(deps: WorkflowDeps, request: DeployRequest, opts: { resumed?: boolean } = {}): Promise<DeployRequest> {
  let latest = request;
  const driven = await underRunLease(
    deps,
    request.id,
    async (leased) => {
      // Re-read under the lease: a replica that drove it before may have moved it on.
      const current = (await leased.store.getRequest(request.id)) ?? request;
      latest = isActive(current.state) ? await drive(leased, current, opts) : current;
      return latest;
    },
    () => !isActive(latest.state),
  );
  return driven ?? (await deps.store.getRequest(request.id)) ?? request;
}

/** The loop over the state table. */
async function drive(deps: WorkflowDeps, request: DeployRequest, opts: { resumed?: boolean }): Promise<DeployRequest> {
  const run = runOf(request);
  const log = deps.log.child({ runId: request.id });
  let current = request;
  try {
    const ctx: StepContext = { deps, run, env: environmentOf(deps, request), resumed: opts.resumed ?? false, say: (event) => deps.events.emit(run, 'flightdeck', event) };
    while (isActive(current.state)) {
      const result = await DELIVERY[current.state](ctx, current);
      if ('end' in result) return await finish(deps, current, result.end);
      if ('fail' in result) return await finish(deps, current, { result: 'failed', problem: result.fail });
      const moved = await deps.store.transition(current.id, current.state, result.next, result.patch ?? {}, deps.clock.now());
      // Lost a race (another process moved it): carry on from what the store says now.
      current = moved ?? (await deps.store.getRequest(current.id)) ?? current;
      if (moved) deps.events.show(run, moved);
      if (!moved && !isActive(current.state)) break;
    }
    return current;
  } catch (err) {
    if (deps.shutdown.aborted) {
      log.info({ state: current.state }, 'stopped for shutdown; resumes after the next start');
      return current;
    }
    if (!(err instanceof UserError)) log.error({ err }, 'delivery failed');
    const problem: Problem = err instanceof UserError ? err.problem : { code: 'internal', reference: request.id };
    return finish(deps, current, { result: 'failed', problem });
  }
}

/** The one place a delivery ends: the final transition, its event, the metric and the request message. */
async function finish(deps: WorkflowDeps, request: DeployRequest, outcome: Extract<RequestOutcome, { result: 'succeeded' | 'failed' }>): Promise<DeployRequest> {
  const latest = (await deps.store.getRequest(request.id)) ?? request;
  if (!isActive(latest.state)) return latest;
  const to = outcome.result;
  const ended = await deps.store.transition(latest.id, latest.state, to, { outcome }, deps.clock.now());
  if (!ended) return (await deps.store.getRequest(request.id)) ?? latest;
  const run = runOf(ended);
  if (outcome.result === 'succeeded') {
    await deps.events.emit(run, 'flightdeck', { type: 'succeeded', kind: ended.kind, env: ended.env, version: ended.version, commitSha: ended.commitSha, canary: outcome.canary?.name ?? null });
  } else {
    await deps.events.emit(run, 'flightdeck', { type: 'failed', kind: ended.kind, env: ended.env, version: ended.version, problem: outcome.problem });
  }
  deps.metrics.workflowOutcome(ended.kind, to);
  deps.events.show(run, ended);
  if (outcome.result === 'succeeded') await closeOvertaken(deps, ended).catch((err: unknown) => deps.log.warn({ err, runId: ended.id }, 'could not close overtaken requests'));
  return ended;
}
