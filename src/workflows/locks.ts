// `/deploy lock` and `/deploy unlock`: hold one environment or all of them, with owner, reason and expiry.
import type { EnvironmentConfig } from '../domain/config.js';
import { isInAudience } from '../domain/policy.js';
import { UserError } from '../domain/problems.js';
import type { Lock } from '../domain/types.js';
import { newRunId, type WorkflowDeps } from './context.js';
import { checkMayDeploy } from './promotionChecks.js';

export const LOCK_EXPIRY_TIMER = 'lock-expiry';

type Target = EnvironmentConfig | '*';

/**
 * Locks an environment ("*" for all). Those who may deploy there may lock it; a lock someone else holds is changed
 * only by its owner or an approver (of that environment; for all, of any environment).
 */
export async function lockEnvironment(deps: WorkflowDeps, input: { env: Target; user: string; durationMs?: number; reason?: string }): Promise<Lock> {
  const envName = nameOf(input.env);
  await checkMayHold(deps, input.env, input.user);
  const held = (await deps.store.listLocks()).find((l) => l.env === envName && (l.until === null || l.until > deps.clock.now())) ?? null;
  if (held && held.owner !== input.user && !(await isApproverOf(deps, input.env, input.user))) throw new UserError({ code: 'lock-held', env: envName, lock: held });
  const now = deps.clock.now();
  const lock: Lock = { env: envName, owner: input.user, reason: input.reason ?? '', since: now, until: input.durationMs ? now + input.durationMs : null };
  await deps.store.putLock(lock);
  if (lock.until !== null) await deps.store.schedule(LOCK_EXPIRY_TIMER, envName, lock.until);
  else await deps.store.cancel(LOCK_EXPIRY_TIMER, envName);
  const replaced = held ? { owner: held.owner, until: held.until } : null;
  await deps.events.emit({ runId: newRunId(), thread: null }, input.user, { type: 'locked', env: envName, reason: lock.reason, until: lock.until, replaced });
  return lock;
}

/** Removes a lock (its owner or an approver); says clearly when there was none, or when "all" holds the environment. */
export async function unlockEnvironment(deps: WorkflowDeps, input: { env: Target; user: string }): Promise<Lock> {
  const envName = nameOf(input.env);
  await checkMayHold(deps, input.env, input.user);
  const locks = await deps.store.listLocks();
  const held = locks.find((l) => l.env === envName);
  if (!held) {
    const all = envName !== '*' ? locks.find((l) => l.env === '*') : undefined;
    throw new UserError(all ? { code: 'held-by-all', env: envName, lock: all } : { code: 'not-locked', env: envName });
  }
  if (held.owner !== input.user && !(await isApproverOf(deps, input.env, input.user))) throw new UserError({ code: 'lock-held', env: envName, lock: held });
  const removed = await deps.store.removeLock(envName);
  if (!removed) throw new UserError({ code: 'not-locked', env: envName });
  await deps.store.cancel(LOCK_EXPIRY_TIMER, envName);
  await deps.events.emit({ runId: newRunId(), thread: null }, input.user, { type: 'unlocked', env: envName, previousOwner: removed.owner });
  return removed;
}

function nameOf(env: Target): string {
  return env === '*' ? '*' : env.name;
}

/** Whoever may deploy to an environment may hold it; holding all needs deploy rights everywhere. */
async function checkMayHold(deps: WorkflowDeps, env: Target, user: string): Promise<void> {
  for (const target of env === '*' ? deps.config.environments : [env]) await checkMayDeploy(deps, target, user);
}

/** An approver of deploys to the environment (for all: of any environment). */
async function isApproverOf(deps: WorkflowDeps, env: Target, user: string): Promise<boolean> {
  for (const target of env === '*' ? deps.config.environments : [env]) {
    const members = await deps.members.of(target.approval.approvers.groups);
    if (isInAudience(user, target.approval.approvers, members)) return true;
  }
  return false;
}

/** Timer: a lock given a duration ends. Re-reads the lock so a newer lock is not removed. */
export async function expireLock(deps: WorkflowDeps, envName: string): Promise<Lock | null> {
  const lock = (await deps.store.listLocks()).find((l) => l.env === envName);
  if (!lock || lock.until === null || lock.until > deps.clock.now()) return null;
  await deps.store.removeLock(envName);
  await deps.events.emit({ runId: newRunId(), thread: null }, 'flightdeck', { type: 'lock-expired', env: envName, owner: lock.owner });
  return lock;
}
