// The checks a promotion must pass before anyone is asked to approve it; they produce what would change per app.
import type { AppConfig, EnvironmentConfig } from '../domain/config.js';
import { holdOf } from '../domain/holds.js';
import { incidentFreeze } from '../domain/incidentPolicy.js';
import { canRequest } from '../domain/policy.js';
import { UserError, type Problem } from '../domain/problems.js';
import { canRetrySync } from '../domain/requestStates.js';
import { imageTagFor, refFor } from '../domain/versions.js';
import type { AppChange } from '../domain/types.js';
import type { CheckResult, RepoFile } from '../ports.js';
import type { WorkflowDeps } from './context.js';
import { linkOf } from './status.js';
import { readOverlay, type Overlay } from './overlayFiles.js';

export const COMPARE_CAP = 10;

export interface PromotionInput {
  env: EnvironmentConfig;
  version: string;
  /** app names; empty: every configured app the overlay sets */
  apps: string[];
  user: string;
}

/** What a promotion would change, and the overlay as read: the commit is later written on that very blob. */
export interface CheckedPromotion {
  changes: AppChange[];
  overlay: RepoFile;
}

/** The user is among the environment's deployers (anyone, when it names none). */
export async function checkMayDeploy(deps: WorkflowDeps, env: EnvironmentConfig, user: string): Promise<void> {
  const groups = env.deployers?.groups ?? [];
  if (!canRequest(env, user, await deps.members.of(groups))) throw new UserError({ code: 'not-deployer', env: env.name, deployers: env.deployers ?? null });
}

/** No lock, no freeze window and no open incident that freezes it holds the environment now; `then` says what that means. */
export async function checkNotHeld(deps: WorkflowDeps, env: EnvironmentConfig, then: 'nothing-deployed' | 'approval-not-recorded'): Promise<void> {
  const problem = await holdNow(deps, env, then);
  if (problem) throw new UserError(problem);
}

/** What keeps a deploy to the environment from starting now (rollbacks are never held), or null. */
export async function holdNow(deps: WorkflowDeps, env: EnvironmentConfig, then: 'nothing-deployed' | 'approval-not-recorded'): Promise<Problem | null> {
  const [locks, open] = await Promise.all([deps.store.listLocks(), deps.store.listIncidents(['open', 'acknowledged'])]);
  const held = holdOf(locks, deps.config.freezes, env.name, deps.clock.now(), then);
  if (held) return held;
  const incident = incidentFreeze(open, deps.config.incidents, env);
  return incident ? { code: 'incident-freeze', env: env.name, number: incident.number, severity: incident.severity, title: incident.title, channel: incident.channel } : null;
}

/**
 * Runs every promotion check; GitHub calls run in parallel. The version must exist before the promotion order is
 * judged: "must run in dev first" is no answer for a tag that was never released.
 */
export async function checkPromotion(deps: WorkflowDeps, input: PromotionInput): Promise<CheckedPromotion> {
  const { env, version } = input;
  if (deps.config.gitops.mode !== 'commit') throw new UserError({ code: 'pull-request-mode' });
  await checkMayDeploy(deps, env, input.user);
  await checkNotHeld(deps, env, 'nothing-deployed');
  const previous = env.promoteFrom ? deps.config.environments.find((e) => e.name === env.promoteFrom) : undefined;
  const repo = deps.config.gitops.repo;
  const required = env.gates.requiredChecks;

  const overlayRead = readOverlay(deps.gitops, env, repo);
  const previousRead = previous ? readOverlay(deps.gitops, previous, repo) : Promise.resolve(null);
  const candidates = input.apps.length > 0 ? input.apps.map((name) => appNamed(deps, name)) : deps.config.apps;
  // Tag and checks need nothing from git: start them with the overlay reads.
  const lookups = new Map(candidates.map((app) => [app.name, handled(lookupVersion(deps, app, version, required))]));
  const [overlay, previousOverlay] = await Promise.all([overlayRead, previousRead]);

  const apps = candidates.filter((app) => app.image in overlay.tags);
  const missing = candidates.filter((app) => !(app.image in overlay.tags));
  if (input.apps.length > 0 && missing.length > 0) {
    throw new UserError({ code: 'apps-not-in-overlay', env: env.name, overlay: env.overlay, apps: missing.map((a) => a.name), images: missing.map((a) => a.image) });
  }
  if (apps.length === 0) throw new UserError({ code: 'no-apps-in-overlay', env: env.name, overlay: env.overlay });
  const changes = await Promise.all(apps.map((app) => describeChange(deps, app, version, overlay, lookups.get(app.name)!)));
  if (previous && previousOverlay) checkPromoteFrom(apps, version, previous, previousOverlay);
  const moving = changes.filter((c) => c.from !== c.to);
  if (moving.length === 0) throw new UserError({ code: 'already-running', env: env.name, version, apps: apps.map((a) => a.name), ...(await failedSyncOf(deps, env.name, version)) });
  return { changes: moving, overlay: overlay.file };
}

/** How far back in the environment's requests a failed sync of the version is looked for. */
const RETRY_LOOKBACK = 20;

/**
 * Git names the version because a recent request committed it whose sync then failed: that request is the way on
 * (Retry sync). Only the environment's latest requests are read; an older one has been overtaken anyway.
 */
async function failedSyncOf(deps: WorkflowDeps, env: string, version: string): Promise<{ retry?: { runId: string; link: string | null } }> {
  const latest = (await deps.store.recentRequests(env, RETRY_LOOKBACK)).find((r) => r.version === version && canRetrySync(r));
  return latest ? { retry: { runId: latest.id, link: await linkOf(deps, latest) } } : {};
}

/** Marks a promise as handled now; awaiting it later still throws. Lookups of apps that end up unused must not crash the process. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function appNamed(deps: WorkflowDeps, name: string): AppConfig {
  const app = deps.config.apps.find((a) => a.name === name);
  if (!app) throw new UserError({ code: 'unknown-apps', given: [name], known: deps.config.apps.map((a) => a.name) });
  return app;
}

function checkPromoteFrom(apps: AppConfig[], version: string, previous: EnvironmentConfig, overlay: Overlay): void {
  const behind = apps.filter((app) => overlay.tags[app.image] !== imageTagFor(app, version));
  if (behind.length === 0) return;
  throw new UserError({ code: 'not-promoted-yet', version, previous: previous.name, running: behind.map((app) => ({ app: app.name, tag: overlay.tags[app.image] ?? null })) });
}

interface VersionLookup {
  sha: string;
  checks: CheckResult[];
}

async function lookupVersion(deps: WorkflowDeps, app: AppConfig, version: string, required: string[]): Promise<VersionLookup> {
  const ref = refFor(app, version);
  const kind = app.versions === 'commits' ? 'commit' : 'tag';
  const found = await deps.sources.lookupVersion(app.source, ref, kind, required);
  if (!found) throw new UserError({ code: 'version-not-found', app: app.name, source: app.source, ref, kind });
  const { sha, checks } = found;
  const bad = checks.filter((c): c is CheckResult & { state: 'failure' | 'pending' | 'missing' } => c.state !== 'success');
  if (bad.length > 0) throw new UserError({ code: 'checks-not-passed', app: app.name, version, sha, checks: bad.map((c) => ({ name: c.name, state: c.state })) });
  return { sha, checks };
}

async function describeChange(deps: WorkflowDeps, app: AppConfig, version: string, overlay: Overlay, lookup: Promise<VersionLookup>): Promise<AppChange> {
  const from = overlay.tags[app.image] ?? null;
  const to = imageTagFor(app, version);
  const fromRef = from === null ? null : app.versions === 'commits' ? from.slice(app.tagPrefix.length) : from;
  const comparing = fromRef !== null && from !== to ? deps.sources.compare(app.source, fromRef, refFor(app, version), COMPARE_CAP).catch(() => null) : Promise.resolve(null);
  const [found, compare] = await Promise.all([lookup, comparing]);
  return { app: app.name, image: app.image, source: app.source, from, to, sha: found.sha, compare, checks: found.checks.map((c) => c.name) };
}
