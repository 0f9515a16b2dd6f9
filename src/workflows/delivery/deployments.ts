// GitHub Deployments for a request (where gitops.deployments is on): created when the sync starts; the GitHub sink closes them.
import type { DeployRequest } from '../../domain/types.js';
import type { StepContext } from './step.js';

/** Creates one deployment per app in its source repository; ids go to the record (deployment-created) so a restart can close them. */
export async function openDeployments(ctx: StepContext, request: DeployRequest): Promise<void> {
  const { deps } = ctx;
  if (!deps.config.gitops.deployments) return;
  const done = new Set((await deps.store.auditOf(request.id)).filter((e) => e.action === 'deployment-created').map((e) => String(e.detail.app)));
  // Every creation is waited for, failed or not: one recorded after the run ended would never be closed.
  const created = await Promise.allSettled(
    request.changes
      .filter((change) => !done.has(change.app))
      .map(async (change) => {
        const { id } = await deps.sources.createDeployment(change.source, { ref: change.sha, environment: request.env, description: `Flightdeck ${request.id}: ${change.app} ${change.to}` });
        await ctx.say({ type: 'deployment-created', repo: change.source, app: change.app, deploymentId: id });
      }),
  );
  const failed = created.find((c): c is PromiseRejectedResult => c.status === 'rejected');
  if (failed) throw failed.reason;
}
