// Retry sync: a delivery that failed after its commit (the cluster did not answer, the sync timed out, failed or was kept
// busy) is asked again from `committed`, while git still holds its commit as the overlay's newest; the same table drives it.
import { isCommitOfRun } from '../../domain/overlayStanding.js';
import { UserError } from '../../domain/problems.js';
import { ACTIVE_STATES, canRetrySync } from '../../domain/requestStates.js';
import type { DeployRequest } from '../../domain/types.js';
import type { WorkflowDeps } from '../context.js';
import { readOverlay } from '../overlayFiles.js';
import { checkMayDeploy, checkNotHeld } from '../promotionChecks.js';
import { environmentOf, runOf } from '../requests.js';
import { linkOf } from '../status.js';
import { deliver } from './deliver.js';

/**
 * Who may: anyone who may deploy to the environment (the change itself was approved). A deploy is held by locks,
 * freezes and incident freezes as a new one would be; a rollback never is. Two presses at once retry once: the move
 * failed -> committed is one conditional transition.
 */
export async function retrySync(deps: WorkflowDeps, runId: string, user: string): Promise<DeployRequest> {
  const request = await deps.store.getRequest(runId);
  if (!request) throw new UserError({ code: 'request-gone' });
  if (!canRetrySync(request)) {
    const failedWith = request.state === 'failed' && request.outcome?.result === 'failed' ? request.outcome.problem.code : null;
    throw new UserError({ code: 'not-retryable', state: request.state, failedWith });
  }
  const env = environmentOf(deps, request);
  await checkMayDeploy(deps, env, user);
  if (request.kind === 'deploy') await checkNotHeld(deps, env, 'nothing-deployed');

  const busy = (await deps.store.listRequests([...ACTIVE_STATES])).find((r) => r.env === request.env && r.id !== request.id);
  if (busy) throw new UserError({ code: 'env-busy', env: env.name, runId: busy.id, version: busy.version, link: await linkOf(deps, busy) });
  // Argo CD is asked for this very revision: with a newer commit on the overlay, that would apply an older state.
  const overlay = await readOverlay(deps.gitops, env, deps.config.gitops.repo);
  const newest = await deps.gitops.lastCommitOf(overlay.file.path);
  if (!newest || (newest.sha !== request.commitSha && !isCommitOfRun(newest.message, request.id))) {
    throw new UserError({ code: 'overlay-moved-on', env: env.name, application: env.argocd.application, commitSha: request.commitSha!, newest: newest?.sha ?? null });
  }

  const reopened = await deps.store.transition(request.id, 'failed', 'committed', { outcome: null }, deps.clock.now());
  if (!reopened) throw new UserError({ code: 'not-retryable', state: (await deps.store.getRequest(request.id))?.state ?? 'gone', failedWith: null });
  const run = runOf(reopened);
  deps.events.show(run, reopened);
  await deps.events.emit(run, user, { type: 'sync-retried', by: user, revision: reopened.commitSha! });
  return deliver(deps, reopened);
}
