// After a start: carries on with requests in flight when the last process stopped (the delivery table's states), and re-arms timers.
import type { Problem } from '../domain/problems.js';
import { ACTIVE_STATES } from '../domain/requestStates.js';
import type { DeployRequest } from '../domain/types.js';
import type { Background } from '../runtime/background.js';
import type { WorkflowDeps } from './context.js';
import { deliver } from './delivery/deliver.js';
import { holdNow } from './promotionChecks.js';
import { LOCK_EXPIRY_TIMER } from './locks.js';
import { EXPIRY_TIMER } from './promote.js';
import { refreshPendingGauge, runOf } from './requests.js';

export async function resumeInFlight(deps: WorkflowDeps, background: Background): Promise<void> {
  for (const request of await deps.store.listRequests([...ACTIVE_STATES])) {
    if (!request.messageTs) {
      // Stopped between recording the request and posting it: nobody has seen it, so it must not go ahead.
      await endBeforeCommit(deps, request, { code: 'interrupted' });
      continue;
    }
    // Approved but not yet written: a lock or freeze that began while the process was down holds it, as it would a click.
    const env = deps.config.environments.find((e) => e.name === request.env);
    const hold = request.state === 'approved' && request.kind === 'deploy' && env ? await holdNow(deps, env, 'nothing-deployed') : null;
    if (hold) {
      await endBeforeCommit(deps, request, hold);
      continue;
    }
    deps.log.info({ runId: request.id, state: request.state }, 'resuming after restart');
    background.run(`resume-${request.id}`, async () => void (await deliver(deps, request, { resumed: true })));
  }
  // A timer claimed by a process that died before handling it is gone: arm the ones still needed again.
  for (const pending of await deps.store.listRequests(['pending'])) {
    if (pending.expiresAt !== null) await deps.store.schedule(EXPIRY_TIMER, pending.id, pending.expiresAt);
  }
  for (const lock of await deps.store.listLocks()) {
    if (lock.until !== null) await deps.store.schedule(LOCK_EXPIRY_TIMER, lock.env, lock.until);
  }
  await refreshPendingGauge(deps);
}

async function endBeforeCommit(deps: WorkflowDeps, request: DeployRequest, problem: Problem): Promise<void> {
  const failed = await deps.store.transition(request.id, request.state, 'failed', { outcome: { result: 'failed', problem } }, deps.clock.now());
  if (!failed) return;
  await deps.events.emit(runOf(failed), 'flightdeck', { type: 'failed', kind: failed.kind, env: failed.env, version: failed.version, problem });
  deps.events.show(runOf(failed), failed);
}

