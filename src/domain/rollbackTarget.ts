// Where a rollback goes: per app, the tag the environment ran before the current one (or a named one it ran), read from the overlay's history.
import type { AppConfig } from './config.js';
import type { Problem } from './problems.js';
import { imageTagFor } from './versions.js';

/** The overlay's image tags after one commit, newest commit first. */
export interface OverlayVersion {
  sha: string;
  tags: Record<string, string | null>;
}

export interface RollbackTarget {
  app: AppConfig;
  from: string | null;
  to: string;
}

/**
 * The tags each app goes back to. Without a version: per app, the newest tag in the history that differs from the
 * current one (commits that did not change that app's tag are skipped). With one: its tag, which the environment must
 * have run before. `history[0]` is the overlay as it is now.
 */
export function rollbackTargets(env: string, apps: AppConfig[], history: OverlayVersion[], version: string | null): RollbackTarget[] | Problem {
  const current = history[0]?.tags ?? {};
  const targets: RollbackTarget[] = [];
  for (const app of apps) {
    const from = current[app.image] ?? null;
    const ran = ranBefore(history, app.image, from);
    const to = version === null ? (ran[0] ?? null) : imageTagFor(app, version);
    if (version !== null && to !== null && to !== from && !ran.includes(to)) {
      return { code: 'never-ran', env, app: app.name, version, ran: ran.slice(0, 10) };
    }
    if (to === null || to === from) continue;
    targets.push({ app, from, to });
  }
  if (targets.length === 0) return version !== null ? { code: 'already-running', env, version, apps: apps.map((a) => a.name) } : { code: 'nothing-to-roll-back', env, apps: apps.map((a) => a.name) };
  return targets;
}

/** The tags an image had before `current`, newest first, without repeats. */
export function ranBefore(history: OverlayVersion[], image: string, current: string | null): string[] {
  const seen: string[] = [];
  for (const version of history.slice(1)) {
    const tag = version.tags[image] ?? null;
    if (tag !== null && tag !== current && !seen.includes(tag)) seen.push(tag);
  }
  return seen;
}
