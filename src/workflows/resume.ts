// After a start, or when another replica stopped renewing a run's lease: carries on with requests in flight (the delivery table's states).
import { ACTIVE_STATES, isActive } from '../domain/requestStates.js';
import type { DeployRequest } from '../domain/types.js';
import type { Background } from '../runtime/background.js';
import type { WorkflowDeps } from './context.js';
import { deliver } from './delivery/deliver.js';
import { claimRun, releaseRun, RUN_LEASE_TIMER } from './delivery/lease.js';
import { holdNow } from './promotionChecks.js';
import { LOCK_EXPIRY_TIMER } from './locks.js';
import { EXPIRY_TIMER } from './promote.js';
import { endUndelivered, refreshPendingGauge } from './requests.js';

export async function resumeInFlight(deps: WorkflowDeps, background: Background): Promise<void> {
  for (const request of await deps.store.listRequests([...ACTIVE_STATES])) await resumeOne(deps, background, request);
  // A timer claimed by a process that died before handling it is gone: arm the ones still needed again.
  for (const pending of await deps.store.listRequests(['pending'])) {
    if (pending.expiresAt !== null) await deps.store.schedule(EXPIRY_TIMER, pending.id, pending.expiresAt);
  }
  for (const lock of await deps.store.listLocks()) {
    if (lock.until !== null) await deps.store.schedule(LOCK_EXPIRY_TIMER, lock.env, lock.until);
  }
  await refreshPendingGauge(deps);
}

/** The run-lease timer came due on this replica: the replica that drove the run stopped renewing it, so carry it on here. */
export async function adoptRun(deps: WorkflowDeps, background: Background, runId: string): Promise<void> {
  const request = await deps.store.getRequest(runId);
  if (request && isActive(request.state)) await resumeOne(deps, background, request);
}

/** Carries one active request on, unless another live replica holds its lease (it drives the run). */
async function resumeOne(deps: WorkflowDeps, background: Background, request: DeployRequest): Promise<void> {
  // Recorded moments ago and not yet posted: the replica that recorded it is still posting it.
  if (!request.messageTs && deps.clock.now() - request.updatedAt < deps.leases.ttlMs) {
    // Looked at again once that replica had time enough; if it died meanwhile, the request ends as interrupted then.
    return deps.store.schedule(RUN_LEASE_TIMER, request.id, request.updatedAt + deps.leases.ttlMs);
  }
  if (!(await claimRun(deps, request.id))) {
    deps.log.info({ runId: request.id, state: request.state }, 'in flight on another replica; not resumed here');
    return;
  }
  // Re-read under the lease: the replica that drove it may have moved it on before it stopped.
  const current = await deps.store.getRequest(request.id);
  if (!current || !isActive(current.state)) return releaseRun(deps, request.id, 'ended');
  if (!current.messageTs) {
    // Stopped between recording the request and posting it: nobody has seen it, so it must not go ahead.
    await endUndelivered(deps, current, { code: 'interrupted' });
    return releaseRun(deps, current.id, 'ended');
  }
  // Approved but not yet written: a lock or freeze that began while the process was down holds it, as it would a click.
  const env = deps.config.environments.find((e) => e.name === current.env);
  const hold = current.state === 'approved' && current.kind === 'deploy' && env ? await holdNow(deps, env, 'nothing-deployed') : null;
  if (hold) {
    await endUndelivered(deps, current, hold);
    return releaseRun(deps, current.id, 'ended');
  }
  deps.log.info({ runId: current.id, state: current.state }, 'resuming after restart');
  background.run(`resume-${current.id}`, async () => void (await deliver(deps, current, { resumed: true })));
}

