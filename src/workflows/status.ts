// `/deploy status`: per environment, the desired versions from git and the live sync/health from Argo CD.
import { activeFreeze } from '../domain/freezes.js';
import type { EnvironmentStatus } from '../domain/types.js';
import type { WorkflowDeps } from './context.js';
import { readOverlay } from './overlayFiles.js';
import { lockOf } from './promotionChecks.js';
import { argoRefOf } from './requests.js';

/** Reads every environment (or the one named) in parallel; what cannot be read is shown as unknown, not hidden. */
export async function deployStatus(deps: WorkflowDeps, envName?: string): Promise<EnvironmentStatus[]> {
  const envs = deps.config.environments.filter((e) => !envName || e.name === envName);
  const now = deps.clock.now();
  const locks = await deps.store.listLocks();
  return Promise.all(
    envs.map(async (env): Promise<EnvironmentStatus> => {
      const [overlay, live] = await Promise.all([
        readOverlay(deps.gitops, env, deps.config.gitops.repo).catch((err: unknown) => {
          deps.log.warn({ err, env: env.name }, 'could not read overlay');
          return null;
        }),
        deps.cluster.getApplication(argoRefOf(env)).catch((err: unknown) => {
          deps.log.warn({ err, env: env.name }, 'could not read Argo CD application');
          return null;
        }),
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
      };
    }),
  );
}
