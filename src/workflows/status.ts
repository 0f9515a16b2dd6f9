// `/deploy status` and `/deploy history`: what runs where (git and Argo CD), who holds what, what waits, and what happened.
import { activeFreeze } from '../domain/freezes.js';
import { lockOf } from '../domain/holds.js';
import type { DeployRequest, EnvironmentStatus } from '../domain/types.js';
import type { WorkflowDeps } from './context.js';
import { readOverlay } from './overlayFiles.js';
import { argoRefOf, boundedPermalink, runOf } from './requests.js';

export const HISTORY_LIMIT = 15;

/** Reads every environment (or the one named) in parallel; what cannot be read is shown as unknown, not hidden. */
export async function deployStatus(deps: WorkflowDeps, envName?: string): Promise<EnvironmentStatus[]> {
  const envs = deps.config.environments.filter((e) => !envName || e.name === envName);
  const now = deps.clock.now();
  const [locks, pending] = await Promise.all([deps.store.listLocks(), deps.store.listRequests(['pending'])]);
  return Promise.all(
    envs.map(async (env): Promise<EnvironmentStatus> => {
      const [overlay, live, waiting] = await Promise.all([
        readOverlay(deps.gitops, env, deps.config.gitops.repo).catch((err: unknown) => {
          deps.log.warn({ err, env: env.name }, 'could not read overlay');
          return null;
        }),
        deps.cluster.getApplication(argoRefOf(env)).catch((err: unknown) => {
          deps.log.warn({ err, env: env.name }, 'could not read Argo CD application');
          return null;
        }),
        Promise.all(pending.filter((r) => r.env === env.name && (r.expiresAt === null || r.expiresAt > now)).map((r) => waitingRow(deps, r))),
      ]);
      const apps = deps.config.apps
        .filter((app) => !overlay || app.image in overlay.tags)
        .map((app) => ({ app: app.name, desired: overlay?.tags[app.image] ?? null }));
      return {
        env: env.name,
        lock: lockOf(locks, env.name, now),
        frozenBy: activeFreeze(deps.config.freezes, env.name, now)?.name ?? null,
        live: live && { syncStatus: live.syncStatus, health: live.health, revision: live.syncRevision, operationPhase: live.operationPhase },
        apps,
        waiting,
      };
    }),
  );
}

async function waitingRow(deps: WorkflowDeps, r: DeployRequest): Promise<EnvironmentStatus['waiting'][number]> {
  return { id: r.id, kind: r.kind, version: r.version, requester: r.requester, approvals: r.approvals.length, required: r.required, expiresAt: r.expiresAt, link: await linkOf(deps, r) };
}

/** A link to the request's message, bounded (see boundedPermalink). */
export function linkOf(deps: WorkflowDeps, r: DeployRequest): Promise<string | null> {
  return boundedPermalink(deps, runOf(r).thread);
}

export interface HistoryRow {
  request: DeployRequest;
  link: string | null;
}

/** The last deploys and rollbacks (of one environment, or all) from the record, newest first, with links to their threads. */
export async function deployHistory(deps: WorkflowDeps, envName?: string): Promise<HistoryRow[]> {
  const recent = await deps.store.recentRequests(envName ?? null, HISTORY_LIMIT);
  return Promise.all(recent.map(async (request) => ({ request, link: await linkOf(deps, request) })));
}
