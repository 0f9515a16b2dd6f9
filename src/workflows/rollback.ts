// `/rollback`: back to the version the environment ran before (or a named one it ran), under the rollback approval policy.
import type { AppConfig, EnvironmentConfig } from '../domain/config.js';
import { readImageTags } from '../domain/overlay.js';
import { UserError } from '../domain/problems.js';
import { rollbackTargets, type OverlayVersion } from '../domain/rollbackTarget.js';
import type { AppChange, DeployRequest } from '../domain/types.js';
import { refFor } from '../domain/versions.js';
import { newRunId, type WorkflowDeps } from './context.js';
import { readOverlay } from './overlayFiles.js';
import { openRequest } from './promote.js';
import { checkMayDeploy, COMPARE_CAP } from './promotionChecks.js';

/** How far back the overlay's history is read for rollback targets. */
export const HISTORY_DEPTH = 20;

export interface RollbackCommandInput {
  env: EnvironmentConfig;
  version: string | null;
  apps: string[];
  user: string;
  channel: string;
}

/**
 * Checks and posts a rollback. Locks, freezes and open incidents do not hold it (that is the point of a rollback);
 * who may ask is who may deploy there, and who must approve is the environment's rollback policy.
 */
export async function requestRollback(deps: WorkflowDeps, cmd: RollbackCommandInput): Promise<DeployRequest> {
  const runId = newRunId();
  const unposted = { runId, thread: null };
  const prepared = await prepareRollback(deps, cmd).catch(async (err: unknown) => {
    if (err instanceof UserError) await deps.events.emit(unposted, cmd.user, { type: 'refused', kind: 'rollback', env: cmd.env.name, version: cmd.version ?? 'previous', problem: err.problem });
    throw err;
  });
  return openRequest(deps, { runId, kind: 'rollback', env: cmd.env, version: prepared.version, changes: prepared.changes, user: cmd.user, channel: cmd.channel, overlay: prepared.overlay });
}

async function prepareRollback(deps: WorkflowDeps, cmd: RollbackCommandInput) {
  await checkMayDeploy(deps, cmd.env, cmd.user);
  const overlay = await readOverlay(deps.gitops, cmd.env, deps.config.gitops.repo);
  const apps = (cmd.apps.length > 0 ? deps.config.apps.filter((a) => cmd.apps.includes(a.name)) : deps.config.apps).filter((a) => a.image in overlay.tags);
  if (apps.length === 0) throw new UserError({ code: 'no-apps-in-overlay', env: cmd.env.name, overlay: cmd.env.overlay });
  const history = await overlayHistory(deps, overlay.file.path, overlay.tags);
  const targets = rollbackTargets(cmd.env.name, apps, history, cmd.version);
  if (!Array.isArray(targets)) throw new UserError(targets);
  const changes = await Promise.all(targets.map((t) => describeRollback(deps, t.app, t.from, t.to)));
  // One version names the request: the one asked for, or the single target all apps go back to.
  const version = cmd.version ?? (new Set(changes.map((c) => c.to)).size === 1 ? changes[0]!.to : 'previous versions');
  return { changes, overlay: overlay.file, version };
}

/** The overlay's tags now and after each of its recent commits (newest first). */
async function overlayHistory(deps: WorkflowDeps, path: string, now: Record<string, string | null>): Promise<OverlayVersion[]> {
  const commits = await deps.gitops.historyOf(path, HISTORY_DEPTH);
  const versions = await Promise.all(
    commits.map(async (c) => {
      const file = await deps.gitops.readFileAt(path, c.sha).catch(() => null);
      return file ? { sha: c.sha, tags: safeTags(file.content) } : null;
    }),
  );
  return [{ sha: 'now', tags: now }, ...versions.filter((v): v is OverlayVersion => v !== null)];
}

/** An old overlay that no longer parses is skipped, not a reason to refuse the rollback. */
function safeTags(content: string): Record<string, string | null> {
  try {
    return readImageTags(content);
  } catch {
    return {};
  }
}

/** What going back means for one app: the commits it drops (a compare from the target to what runs now). */
async function describeRollback(deps: WorkflowDeps, app: AppConfig, from: string | null, to: string): Promise<AppChange> {
  const refOfTag = (tag: string) => (app.versions === 'commits' ? tag.slice(app.tagPrefix.length) : tag);
  const [resolved, compare] = await Promise.all([
    deps.sources.resolveRef(app.source, refFor(app, refOfTag(to)), app.versions === 'commits' ? 'commit' : 'tag').catch(() => null),
    from !== null ? deps.sources.compare(app.source, refOfTag(to), refOfTag(from), COMPARE_CAP).catch(() => null) : Promise.resolve(null),
  ]);
  return { app: app.name, image: app.image, source: app.source, from, to, sha: resolved?.sha ?? '', compare, checks: [] };
}
