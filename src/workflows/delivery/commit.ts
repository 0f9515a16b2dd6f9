// Step approved -> committed: one commit to the overlay, written on the blob the request read, retried on conflict, never forced.
import { commitMessage } from '../../domain/commitMessage.js';
import { GitConflictError, UnknownOutcomeError } from '../../domain/errors.js';
import { readImageTags, setImageTags } from '../../domain/overlay.js';
import { isCommitOfRun, overlayStanding, runningOf } from '../../domain/overlayStanding.js';
import { UserError } from '../../domain/problems.js';
import type { DeployRequest } from '../../domain/types.js';
import type { RepoFile } from '../../ports.js';
import { readOverlay } from '../overlayFiles.js';
import { argoRefOf, boundedPermalink } from '../requests.js';
import { canaryBaseline } from './canary.js';
import type { StepContext, StepResult } from './step.js';

/**
 * The overlay must still run what the approvers saw as "from": a request approved late must not undo a newer deploy.
 * A write whose answer was lost is recognised afterwards by the run's trailer in the newest commit of the overlay.
 */
export async function commit(ctx: StepContext, request: DeployRequest): Promise<StepResult> {
  const { deps, env } = ctx;
  const repo = deps.config.gitops.repo;
  const changes = request.changes.map((c) => ({ image: c.image, newTag: c.to }));
  // The thread's link for the commit message; a slow or missing one never holds up the commit.
  const thread = ctx.run.thread;
  const link = boundedPermalink(deps, thread).then((url) => url ?? (thread ? `${thread.channel}/${thread.ts}` : 'none'));
  // Alongside the write, not before it: the canary (read before the commit exists, so Flagger cannot be on it yet) and
  // the Application, on which the sync request is then based.
  const baselineRead = canaryBaseline(ctx, request).catch(() => null);
  if (env.argocd.sync === 'manual') ctx.application = deps.cluster.getApplication(argoRefOf(env)).catch(() => null);
  let file: RepoFile = request.overlayBase ?? (await readOverlay(deps.gitops, env, repo)).file;
  for (let attempt = 0; ; attempt++) {
    const tags = readImageTags(file.content, { file: file.path });
    const standing = overlayStanding(request.changes, tags);
    if (standing === 'to') {
      const ours = await deps.gitops.lastCommitOf(file.path);
      if (ours && isCommitOfRun(ours.message, request.id)) {
        await ctx.say({ type: 'commit-found', commitSha: ours.sha });
        if ((await baselineRead) !== null && env.canary) {
          // The canary was read after our commit: Flagger may already be on it, so its analysis cannot be told apart.
          await ctx.say({ type: 'canary-unavailable', canary: env.canary.name, namespace: env.canary.namespace ?? env.namespace ?? '', why: 'after-restart' });
        }
        return { next: 'committed', patch: { commitSha: ours.sha, canaryBaseline: null } };
      }
    }
    if (standing !== 'from') throw new UserError({ code: 'env-moved', env: env.name, running: runningOf(request.changes, tags) });
    const edited = setImageTags(file.content, changes, { file: file.path });
    const baseline = await baselineRead;
    try {
      const { commitSha } = await deps.gitops.writeFile(file, edited.text, commitMessage(request, await link));
      const lines = request.changes.map((c) => ({ app: c.app, from: c.from, to: c.to }));
      await ctx.say({ type: 'committed', repo, overlay: env.overlay, commitSha, changes: lines, url: deps.gitops.commitUrl(commitSha) });
      return { next: 'committed', patch: { commitSha, canaryBaseline: baseline } };
    } catch (err) {
      if (!(err instanceof GitConflictError || err instanceof UnknownOutcomeError) || attempt >= deps.config.gitops.conflictRetries) throw err;
      if (err instanceof GitConflictError) await ctx.say({ type: 'commit-conflict', attempt: attempt + 1 });
      else deps.log.warn({ err, runId: request.id }, 'the commit had no answer; reading the overlay to see whether it was written');
      // The write was conditional on the blob read: whatever happened, reading again tells.
      file = (await readOverlay(deps.gitops, env, repo)).file;
    }
  }
}
