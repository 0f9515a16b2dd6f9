// Freeze windows: each cron occurrence (in the freeze's time zone) starts a window that lasts the freeze's duration.
import type { FreezeConfig } from './config.js';
import { lastCronTimeBetween, parseCron } from './cron.js';

export { nextCronTime } from './cron.js';

/** A freeze in force now, with the window that holds it. */
export type ActiveFreeze = FreezeConfig & { startedAt: number; endsAt: number };

/** True when the freeze covers the environment; a freeze that lists no environments covers all of them. */
export function freezeCovers(freeze: FreezeConfig, envName: string): boolean {
  return freeze.environments.length === 0 || freeze.environments.includes(envName);
}

/**
 * The freeze in force for the environment at `nowMs`, or null. When several are, the one that ends last.
 * A window starts at a cron occurrence t and holds for t <= now < t + duration.
 */
export function activeFreeze(freezes: FreezeConfig[], envName: string, nowMs: number): ActiveFreeze | null {
  let found: ActiveFreeze | null = null;
  for (const freeze of freezes) {
    if (!freezeCovers(freeze, envName) || freeze.duration <= 0) continue;
    const start = lastCronTimeBetween(parseCron(freeze.cron), freeze.timezone, nowMs - freeze.duration, nowMs);
    if (start === null) continue;
    const window = { ...freeze, startedAt: start, endsAt: start + freeze.duration };
    if (!found || window.endsAt > found.endsAt) found = window;
  }
  return found;
}
