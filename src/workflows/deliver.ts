// Delivers an approved request: one optimistic commit to the overlay, then Argo CD sync, followed to the end.
import { escapeMrkdwn } from '../adapters/slack/mrkdwn.js';
import { GitConflictError, UserError } from '../domain/errors.js';
import { setImageTags } from '../domain/overlay.js';
import type { DeployRequest } from '../domain/types.js';
import type { ArgoAppRef, ChatThread } from '../ports.js';
import { recordStep, type WorkflowDeps } from './context.js';
import { readOverlay } from './overlayFiles.js';
import { argoRefOf, environmentOf, threadOf } from './requests.js';
import { ThreadUpdates } from './threadUpdates.js';
import { waitForApplication } from './argoWait.js';
import { closeDeployments, openDeployments } from './deployments.js';
import { followSync } from './followSync.js';
import { canaryBaseline } from './followCanary.js';

/**
 * Runs a request from wherever it stands (approved, committed or syncing) to succeeded or failed. `resumed` marks a
 * run carried over from a stopped process, whose earlier steps may already have happened. Thread replies go through
 * `updates` so Slack round trips stay off the path from approval to sync.
 */
export async function deliver(deps: WorkflowDeps, request: DeployRequest, opts: { updates?: ThreadUpdates; resumed?: boolean } = {}): Promise<void> {
  const log = deps.log.child({ runId: request.id });
  const resumed = opts.resumed ?? false;
  const updates = opts.updates ?? new ThreadUpdates(deps, threadOf(request), request.id);
  let current: DeployRequest | null = request;
  try {
    if (current.state === 'approved') current = await commit(deps, current, updates, resumed);
    if (current?.state === 'committed') current = await startSync(deps, current, updates, resumed);
    if (current?.state === 'syncing') current = await followSync(deps, current, updates);
  } catch (err) {
    if (deps.shutdown.aborted) {
      log.info({ state: current?.state }, 'stopped for shutdown; resumes after the next start');
      return;
    }
    const reason = err instanceof UserError ? err.message : `something failed (reference ${request.id})`;
    if (!(err instanceof UserError)) log.error({ err }, 'delivery failed');
    await fail(deps, request.id, reason, updates);
  } finally {
    await updates.flush();
  }
}

const PERMALINK_WAIT_MS = 2_000;

/** The thread's permalink for the commit message, bounded: a slow or missing one never holds up the commit. */
function boundedPermalink(deps: WorkflowDeps, thread: ChatThread): Promise<string> {
  const fallback = `${thread.channel}/${thread.ts}`;
  const stop = new AbortController();
  return Promise.race([
    deps.chat.permalink(thread).catch(() => fallback),
    deps.clock.sleep(PERMALINK_WAIT_MS, stop.signal).then(() => fallback, () => fallback),
  ]).finally(() => stop.abort());
}

/** Where the overlay stands against the request: still at the versions it was asked from, already at its target, or moved. */
function standing(request: DeployRequest, tags: Record<string, string | null>): 'from' | 'to' | 'moved' {
  if (request.changes.every((c) => (tags[c.image] ?? null) === c.to)) return 'to';
  if (request.changes.every((c) => (tags[c.image] ?? null) === c.from)) return 'from';
  return 'moved';
}

/**
 * Writes the overlay change, based on the file as read, retrying on conflict; never forced. The overlay must still
 * run what the approvers saw as "from": a request approved late must not undo a newer deploy.
 */
async function commit(deps: WorkflowDeps, request: DeployRequest, updates: ThreadUpdates, resumed: boolean): Promise<DeployRequest | null> {
  const env = environmentOf(deps, request);
  const repo = deps.config.gitops.repo;
  const changes = request.changes.map((c) => ({ image: c.image, newTag: c.to }));
  const link = boundedPermalink(deps, threadOf(request));
  // Read before the commit exists, so Flagger cannot have started on it yet; alongside the overlay read, not before it.
  const baselineRead = canaryBaseline(deps, request, updates).catch(() => null);
  let baseline: string | null = null;
  let commitSha: string | null = null;
  for (let attempt = 0; commitSha === null; attempt++) {
    const overlay = await readOverlay(deps.gitops, env, repo);
    const now = standing(request, overlay.tags);
    if (now === 'to' && resumed) {
      // This run wrote it before the process stopped: do not write twice.
      commitSha = (await deps.gitops.lastCommitOf(overlay.file.path)) ?? null;
      if (!commitSha) throw new Error(`no commit found for ${overlay.file.path}`);
      await recordStep(deps, request.id, 'flightdeck', 'commit-skipped', { reason: 'overlay already at target', commitSha });
      if ((await baselineRead) !== null) {
        // The canary was read after the commit: Flagger may already be on it, so its analysis cannot be told apart.
        updates.say(':warning: The canary analysis of this commit cannot be followed after the restart; `/canary-status` shows it.');
      }
      break;
    }
    if (now !== 'from') {
      const running = request.changes.map((c) => `${c.app} runs ${overlay.tags[c.image] ?? 'nothing'}`).join(', ');
      throw new UserError(`${env.name} changed since this was requested (${running}); nothing was committed. Ask again if it is still wanted.`);
    }
    const edited = setImageTags(overlay.file.content, changes);
    baseline = await baselineRead;
    try {
      commitSha = (await deps.gitops.writeFile(overlay.file, edited.text, commitMessage(request, await link))).commitSha;
    } catch (err) {
      if (!(err instanceof GitConflictError) || attempt >= deps.config.gitops.conflictRetries) throw err;
      await recordStep(deps, request.id, 'flightdeck', 'commit-conflict', { attempt: attempt + 1 });
    }
  }
  const committed = await deps.store.transition(request.id, 'approved', 'committed', { commitSha, canaryBaseline: baseline }, deps.clock.now());
  if (!committed) return deps.store.getRequest(request.id);
  await recordStep(deps, request.id, 'flightdeck', 'committed', { repo, commitSha });
  const lines = committed.changes.map((c) => `• ${c.app}: \`${c.from ?? 'none'}\` → \`${c.to}\``).join('\n');
  updates.say(`:memo: Committed \`${commitSha.slice(0, 7)}\` to ${repo} (${env.overlay}):\n${lines}`);
  updates.show(committed);
  return committed;
}

/** For manually synced environments, asks Argo CD to sync the commit; auto environments sync themselves. */
async function startSync(deps: WorkflowDeps, request: DeployRequest, updates: ThreadUpdates, resumed: boolean): Promise<DeployRequest | null> {
  const env = environmentOf(deps, request);
  const ref = argoRefOf(env);
  const revision = request.commitSha!;
  if (env.argocd.sync === 'manual') {
    // After a restart the sync may already have been asked for: never ask twice for the same revision.
    const state = resumed ? await deps.cluster.getApplication(ref) : null;
    const alreadyOurs = state !== null && state.operationRevision === revision && (state.operationPending || state.operationPhase !== null);
    if (!alreadyOurs) await requestSyncWhenFree(deps, request, ref, revision, updates);
  } else {
    updates.say(`:arrows_counterclockwise: ${ref.name} syncs automatically; following it until it runs \`${revision.slice(0, 7)}\`.`);
  }
  const syncing = await deps.store.transition(request.id, 'committed', 'syncing', {}, deps.clock.now());
  if (!syncing) return deps.store.getRequest(request.id);
  await openDeployments(deps, syncing).catch((err: unknown) => deps.log.warn({ err, runId: request.id }, 'could not create GitHub deployments'));
  updates.show(syncing);
  return syncing;
}

/** Never overwrites an operation in progress: reports it, waits for it to end, then asks again. */
async function requestSyncWhenFree(deps: WorkflowDeps, request: DeployRequest, ref: ArgoAppRef, revision: string, updates: ThreadUpdates): Promise<void> {
  const info = [{ name: 'flightdeck-run', value: request.id }, { name: 'requested-by', value: request.requester }];
  const deadline = deps.clock.now() + environmentOf(deps, request).argocd.timeout;
  for (;;) {
    const result = await deps.cluster.requestSync(ref, { revision, username: request.requester, info });
    if (result.started) {
      await recordStep(deps, request.id, 'flightdeck', 'sync-requested', { application: ref.name, revision });
      updates.say(`:arrows_counterclockwise: Asked Argo CD to sync ${ref.name} to \`${revision.slice(0, 7)}\` (initiated by <@${request.requester}>).`);
      return;
    }
    await recordStep(deps, request.id, 'flightdeck', 'sync-busy', { application: ref.name, reason: result.reason });
    updates.say(`:hourglass_flowing_sand: Argo CD is busy with ${ref.name}: ${escapeMrkdwn(result.reason)}. Waiting for it to finish before syncing.`);
    const free = await waitForApplication(deps, ref, (s) => !s.operationPending && s.operationPhase !== 'Running', deadline);
    if (!free) throw new UserError(`Argo CD kept ${ref.name} busy with another operation; the commit is in git but was not synced. Sync it in Argo CD or ask again.`);
  }
}



async function fail(deps: WorkflowDeps, id: string, reason: string, updates: ThreadUpdates): Promise<void> {
  const request = await deps.store.getRequest(id);
  if (!request || !['approved', 'committed', 'syncing'].includes(request.state)) return;
  const failed = await deps.store.transition(id, request.state, 'failed', { outcome: reason }, deps.clock.now());
  if (!failed) return;
  await recordStep(deps, id, 'flightdeck', 'failed', { reason });
  await closeDeployments(deps, failed, false, reason);
  deps.metrics.workflowOutcome(failed.kind, 'failed');
  updates.say(`:x: Failed: ${reason}`);
  updates.show(failed);
}

function commitMessage(request: DeployRequest, threadLink: string): string {
  const apps = request.changes.map((c) => `${c.app} ${c.from ?? 'none'} -> ${c.to}`);
  const subject = `${request.kind === 'rollback' ? 'Roll back' : 'Deploy'} ${request.env}: ${apps.join(', ')}`;
  const approvers = request.approvals.length > 0 ? request.approvals.join(', ') : 'none required';
  return [
    subject,
    '',
    `Environment: ${request.env}`,
    ...apps.map((a) => `App: ${a}`),
    `Requested-by: ${request.requester}`,
    `Approved-by: ${approvers}`,
    `Slack-thread: ${threadLink}`,
    `Flightdeck-run: ${request.id}`,
  ].join('\n');
}
