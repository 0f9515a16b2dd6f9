// `/deploy lock` and `/deploy unlock`: hold one environment or all of them, with owner, reason and expiry.
import type { EnvironmentConfig } from '../config/schema.js';
import { UserError } from '../domain/errors.js';
import type { Lock } from '../domain/types.js';
import { newRunId, recordStep, type WorkflowDeps } from './context.js';
import { checkMayDeploy } from './promotionChecks.js';

export const LOCK_EXPIRY_TIMER = 'lock-expiry';

/** Locks an environment ("*" for all). Only those who may deploy there may lock it. */
export async function lockEnvironment(deps: WorkflowDeps, input: { env: EnvironmentConfig | '*'; user: string; durationMs?: number; reason?: string }): Promise<Lock> {
  const envName = input.env === '*' ? '*' : input.env.name;
  await checkMayHold(deps, input.env, input.user);
  const now = deps.clock.now();
  const lock: Lock = { env: envName, owner: input.user, reason: input.reason ?? '', since: now, until: input.durationMs ? now + input.durationMs : null };
  await deps.store.putLock(lock);
  if (lock.until !== null) await deps.store.schedule(LOCK_EXPIRY_TIMER, envName, lock.until);
  else await deps.store.cancel(LOCK_EXPIRY_TIMER, envName);
  await recordStep(deps, newRunId(), input.user, 'locked', { env: envName, reason: lock.reason, until: lock.until });
  return lock;
}

/** Removes a lock; says so clearly when there was none. */
export async function unlockEnvironment(deps: WorkflowDeps, input: { env: EnvironmentConfig | '*'; user: string }): Promise<Lock> {
  const envName = input.env === '*' ? '*' : input.env.name;
  await checkMayHold(deps, input.env, input.user);
  const removed = await deps.store.removeLock(envName);
  if (!removed) throw new UserError(envName === '*' ? 'There is no lock on all environments.' : `${envName} is not locked.`);
  await deps.store.cancel(LOCK_EXPIRY_TIMER, envName);
  await recordStep(deps, newRunId(), input.user, 'unlocked', { env: envName, previousOwner: removed.owner });
  return removed;
}

/** Whoever may deploy to an environment may hold it; holding all needs deploy rights everywhere. */
async function checkMayHold(deps: WorkflowDeps, env: EnvironmentConfig | '*', user: string): Promise<void> {
  for (const target of env === '*' ? deps.config.environments : [env]) await checkMayDeploy(deps, target, user);
}

/** Timer: a lock given a duration ends. Re-reads the lock so a newer lock is not removed. */
export async function expireLock(deps: WorkflowDeps, envName: string): Promise<Lock | null> {
  const lock = (await deps.store.listLocks()).find((l) => l.env === envName);
  if (!lock || lock.until === null || lock.until > deps.clock.now()) return null;
  await deps.store.removeLock(envName);
  await recordStep(deps, newRunId(), 'flightdeck', 'lock-expired', { env: envName, owner: lock.owner });
  return lock;
}
