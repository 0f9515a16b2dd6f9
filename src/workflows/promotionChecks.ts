// The checks a promotion must pass before anyone is asked to approve it; they produce what would change per app.
import type { AppConfig, EnvironmentConfig } from '../config/schema.js';
import { UserError } from '../domain/errors.js';
import { activeFreeze } from '../domain/freezes.js';
import { canRequest } from '../domain/policy.js';
import { imageTagFor, refFor } from '../domain/versions.js';
import type { AppChange, Lock } from '../domain/types.js';
import type { CheckResult } from '../ports.js';
import { escapeMrkdwn } from '../adapters/slack/mrkdwn.js';
import type { WorkflowDeps } from './context.js';
import { readOverlay, type Overlay } from './overlayFiles.js';

export const COMPARE_CAP = 10;

export interface PromotionInput {
  env: EnvironmentConfig;
  version: string;
  /** app names; empty: every configured app the overlay sets */
  apps: string[];
  user: string;
}

/** The lock that holds an environment now (its own or "all"), ignoring expired ones. */
export function lockOf(locks: Lock[], env: string, now: number): Lock | null {
  return locks.find((l) => (l.env === env || l.env === '*') && (l.until === null || l.until > now)) ?? null;
}

/** Permission, lock and freeze: everything that needs no GitHub call. */
export async function checkMayStart(deps: WorkflowDeps, env: EnvironmentConfig, user: string): Promise<void> {
  await checkMayDeploy(deps, env, user);
  await checkNotHeld(deps, env, 'Nothing was deployed.');
}

/** The user is among the environment's deployers (anyone, when it names none). */
export async function checkMayDeploy(deps: WorkflowDeps, env: EnvironmentConfig, user: string): Promise<void> {
  const groups = env.deployers?.groups ?? [];
  if (!canRequest(env, user, await deps.members.of(groups))) {
    throw new UserError(`You may not deploy to ${env.name}: it is limited to its deployers (${describeAudience(env.deployers)}).`);
  }
}

/** No lock and no freeze window holds the environment now; `outcome` says what that means for the person. */
export async function checkNotHeld(deps: WorkflowDeps, env: EnvironmentConfig, outcome: string): Promise<void> {
  const now = deps.clock.now();
  const lock = lockOf(await deps.store.listLocks(), env.name, now);
  if (lock) {
    const scope = lock.env === '*' ? 'All environments are' : `${env.name} is`;
    const until = lock.until ? ` until ${new Date(lock.until).toISOString()}` : '';
    throw new UserError(`${scope} locked by <@${lock.owner}>${until}${lock.reason ? `: ${escapeMrkdwn(lock.reason)}` : ''}. ${outcome}`);
  }
  const freeze = activeFreeze(deps.config.freezes, env.name, now);
  if (freeze) throw new UserError(`${env.name} is frozen (${freeze.name}). ${outcome}`);
}

/** Runs every promotion check; GitHub calls per app run in parallel. Returns the changes to request. */
export async function checkPromotion(deps: WorkflowDeps, input: PromotionInput): Promise<AppChange[]> {
  const { env, version } = input;
  if (deps.config.gitops.mode !== 'commit') throw new UserError('gitops.mode "pull-request" is not supported by this release: nothing was deployed. Set gitops.mode to "commit".');
  await checkMayStart(deps, env, input.user);
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
    throw new UserError(`${missing.map((a) => a.name).join(', ')} ${missing.length === 1 ? 'is' : 'are'} not deployed to ${env.name}: its overlay (${env.overlay}) has no image ${missing.map((a) => a.image).join(', ')}.`);
  }
  if (apps.length === 0) throw new UserError(`No configured app is deployed to ${env.name}: its overlay (${env.overlay}) sets none of their images.`);
  if (previous && previousOverlay) checkPromoteFrom(apps, version, previous, previousOverlay);

  const changes = await Promise.all(apps.map((app) => describeChange(deps, app, version, overlay, lookups.get(app.name)!)));
  const moving = changes.filter((c) => c.from !== c.to);
  if (moving.length === 0) throw new UserError(`${env.name} already runs ${version} (${apps.map((a) => a.name).join(', ')}). Nothing to deploy.`);
  return moving;
}

/** Marks a promise as handled now; awaiting it later still throws. Lookups of apps that end up unused must not crash the process. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function appNamed(deps: WorkflowDeps, name: string): AppConfig {
  const app = deps.config.apps.find((a) => a.name === name);
  if (!app) throw new UserError(`Unknown app "${name}". Known apps: ${deps.config.apps.map((a) => a.name).join(', ')}.`);
  return app;
}

function checkPromoteFrom(apps: AppConfig[], version: string, previous: EnvironmentConfig, overlay: Overlay): void {
  const behind = apps.filter((app) => overlay.tags[app.image] !== imageTagFor(app, version));
  if (behind.length === 0) return;
  const running = behind.map((app) => `${app.name} runs ${overlay.tags[app.image] ?? 'nothing'}`).join(', ');
  throw new UserError(`${version} must run in ${previous.name} before it is promoted further (build once, deploy many): in ${previous.name} ${running}. Deploy ${version} to ${previous.name} first.`);
}

interface VersionLookup {
  sha: string;
  checks: CheckResult[];
}

async function lookupVersion(deps: WorkflowDeps, app: AppConfig, version: string, required: string[]): Promise<VersionLookup> {
  const ref = refFor(app, version);
  const [resolved, checks] = await Promise.all([
    deps.sources.resolveRef(app.source, ref, app.versions === 'commits' ? 'commit' : 'tag'),
    required.length > 0 ? deps.sources.checks(app.source, ref, required) : Promise.resolve([]),
  ]);
  if (!resolved) {
    const what = app.versions === 'commits' ? `commit ${ref}` : `tag ${ref}`;
    throw new UserError(`${app.name}: ${app.source} has no ${what}. Is the version right, and was it released?`);
  }
  const bad = checks.filter((c) => c.state !== 'success');
  if (bad.length > 0) {
    const list = bad.map((c) => `${c.name} is ${c.state === 'missing' ? 'missing' : c.state === 'pending' ? 'still running' : 'failing'}`).join(', ');
    throw new UserError(`${app.name} ${version} (${resolved.sha.slice(0, 7)}) has not passed its required checks: ${list}. Nothing was requested.`);
  }
  return { sha: resolved.sha, checks };
}

async function describeChange(deps: WorkflowDeps, app: AppConfig, version: string, overlay: Overlay, lookup: Promise<VersionLookup>): Promise<AppChange> {
  const from = overlay.tags[app.image] ?? null;
  const to = imageTagFor(app, version);
  const fromRef = from === null ? null : app.versions === 'commits' ? from.slice(app.tagPrefix.length) : from;
  const comparing = fromRef !== null && from !== to ? deps.sources.compare(app.source, fromRef, refFor(app, version), COMPARE_CAP).catch(() => null) : Promise.resolve(null);
  const [found, compare] = await Promise.all([lookup, comparing]);
  return { app: app.name, image: app.image, source: app.source, from, to, sha: found.sha, compare, checks: found.checks.map((c) => c.name) };
}

export function describeAudience(audience: { users: string[]; groups: string[] } | undefined): string {
  if (!audience) return 'anyone';
  const parts = [...audience.users.map((u) => `<@${u}>`), ...audience.groups.map((g) => `<!subteam^${g}>`)];
  return parts.length > 0 ? parts.join(', ') : 'nobody';
}
