// What holds an environment now: a lock (its own or "all") or a freeze window; as Problems a refusal can carry.
import type { FreezeConfig } from './config.js';
import { activeFreeze } from './freezes.js';
import type { Problem } from './problems.js';
import type { Lock } from './types.js';

/** The lock that holds an environment now (its own or "all"), ignoring expired ones. */
export function lockOf(locks: Lock[], env: string, now: number): Lock | null {
  return locks.find((l) => (l.env === env || l.env === '*') && (l.until === null || l.until > now)) ?? null;
}

/** Why no deploy may start in the environment now (a lock, then a freeze), or null; `then` says what that meant. */
export function holdOf(locks: Lock[], freezes: FreezeConfig[], env: string, now: number, then: 'nothing-deployed' | 'approval-not-recorded'): Problem | null {
  const lock = lockOf(locks, env, now);
  if (lock) return { code: 'locked', env, lock, then };
  const freeze = activeFreeze(freezes, env, now);
  if (freeze) return { code: 'frozen', env, freeze: freeze.name, endsAt: freeze.endsAt, then };
  return null;
}
