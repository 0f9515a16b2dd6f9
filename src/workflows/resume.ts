// After a start: carries on with requests that were approved, committed or syncing when the last process stopped, and re-arms timers.
import type { Background } from '../runtime/background.js';
import type { WorkflowDeps } from './context.js';
import { deliver } from './deliver.js';
import { refreshPendingGauge } from './requests.js';
import { LOCK_EXPIRY_TIMER } from './locks.js';
import { EXPIRY_TIMER } from './promote.js';

export async function resumeInFlight(deps: WorkflowDeps, background: Background): Promise<void> {
  const inFlight = await deps.store.listRequests(['approved', 'committed', 'syncing']);
  for (const request of inFlight) {
    if (!request.messageTs) {
      // Stopped between recording the request and posting it: nobody has seen it, so it must not go ahead.
      await deps.store.transition(request.id, request.state, 'failed', { outcome: 'interrupted before its message was posted' }, deps.clock.now());
      continue;
    }
    deps.log.info({ runId: request.id, state: request.state }, 'resuming after restart');
    background.run(`resume-${request.id}`, () => deliver(deps, request, { resumed: true }));
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
