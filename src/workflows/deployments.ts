// GitHub Deployments for a request (where gitops.deployments is on): created when the sync starts, closed when it ends.
import type { DeployRequest } from '../domain/types.js';
import { recordStep, type WorkflowDeps } from './context.js';

const CREATED = 'deployment-created';

/** Creates one deployment per app in its source repository and marks it in progress; ids go to the audit log so a restart can close them. */
export async function openDeployments(deps: WorkflowDeps, request: DeployRequest): Promise<void> {
  if (!deps.config.gitops.deployments) return;
  await Promise.all(
    request.changes.map(async (change) => {
      const { id } = await deps.sources.createDeployment(change.source, { ref: change.sha, environment: request.env, description: `Flightdeck ${request.id}: ${change.app} ${change.to}` });
      await recordStep(deps, request.id, 'flightdeck', CREATED, { repo: change.source, app: change.app, deploymentId: id });
      await deps.sources.setDeploymentStatus(change.source, id, 'in_progress', { description: 'syncing with Argo CD' });
    }),
  );
}

/** Sets the final status of every deployment the run opened. Failures here are logged, never fatal. */
export async function closeDeployments(deps: WorkflowDeps, request: DeployRequest, ok: boolean, description: string): Promise<void> {
  if (!deps.config.gitops.deployments) return;
  const opened = (await deps.store.auditOf(request.id)).filter((e) => e.action === CREATED);
  await Promise.all(
    opened.map((entry) =>
      deps.sources
        .setDeploymentStatus(String(entry.detail.repo), Number(entry.detail.deploymentId), ok ? 'success' : 'failure', { description: description.slice(0, 140) })
        .catch((err: unknown) => deps.log.warn({ err, runId: request.id }, 'could not close a GitHub deployment')),
    ),
  );
}
