// Follows an Argo CD Application through its sync of a request's commit and records how it ended.
import { escapeMrkdwn } from '../adapters/slack/mrkdwn.js';
import { UserError } from '../domain/errors.js';
import type { DeployRequest } from '../domain/types.js';
import type { ArgoAppState } from '../ports.js';
import { recordStep, type WorkflowDeps } from './context.js';
import { argoRefOf, environmentOf } from './requests.js';
import type { ThreadUpdates } from './threadUpdates.js';
import { waitForApplication } from './argoWait.js';
import { closeDeployments } from './deployments.js';

type Verdict = { done: true; ok: true } | { done: true; ok: false; reason: string } | { done: false };

/** Judges one observed state of the Application against the revision we asked for. */
export function judge(state: ArgoAppState, revision: string): Verdict {
  const ours = state.operationRevision === revision;
  if (ours && !state.operationPending && (state.operationPhase === 'Failed' || state.operationPhase === 'Error')) {
    return { done: true, ok: false, reason: `Argo CD sync ${state.operationPhase.toLowerCase()}: ${escapeMrkdwn(state.operationMessage ?? 'no message')}` };
  }
  if (state.operationPending || state.operationPhase === 'Running') return { done: false };
  // Our operation finished, or the app is synced to our commit. (The branch may have moved on since: Argo CD then
  // compares against the newer head, so sync.revision alone would never match again.)
  const applied = (ours && state.operationPhase === 'Succeeded') || (state.syncRevision === revision && state.syncStatus === 'Synced');
  if (!applied) return { done: false };
  if (state.health === 'Healthy') return { done: true, ok: true };
  if (state.health === 'Degraded' || state.health === 'Missing') return { done: true, ok: false, reason: `synced, but the application is ${state.health}` };
  return { done: false };
}

function describe(state: ArgoAppState): string {
  const app = `app ${state.syncStatus} / ${state.health}`;
  const phase = state.operationPhase ?? (state.operationPending ? 'requested' : null);
  return phase ? `sync ${phase}, ${app}` : app;
}

/** Follows until Synced+Healthy on our revision, failure, or the environment's timeout. */
export async function followSync(deps: WorkflowDeps, request: DeployRequest, updates: ThreadUpdates): Promise<DeployRequest | null> {
  const env = environmentOf(deps, request);
  const revision = request.commitSha!;
  const ref = argoRefOf(env);
  let verdict: Verdict = { done: false };
  let lastShown = '';
  // Argo CD compares against the branch head, which moves when other environments deploy: a newer revision that
  // contains our commit counts as ours. Which revisions do is asked of GitHub once each, off the watch callback.
  const containsOurs = new Set<string>();
  const asked = new Set<string>();
  let latest: ArgoAppState | null = null;
  let settle: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => (settle = resolve));
  const consider = (state: ArgoAppState): boolean => {
    const seen = state.syncRevision && containsOurs.has(state.syncRevision) ? { ...state, syncRevision: revision } : state;
    verdict = judge(seen, revision);
    return verdict.done;
  };
  const reached = await waitForApplication(
    deps,
    ref,
    (state) => {
      latest = state;
      if (consider(state)) return true;
      const other = state.syncRevision;
      // Only auto-synced apps: for the others, our own operation's result says whether our commit was applied.
      if (env.argocd.sync === 'auto' && other && other !== revision && state.syncStatus === 'Synced' && !asked.has(other)) {
        asked.add(other);
        deps.gitops.contains(other, revision).then(
          (yes) => {
            if (!yes) return;
            containsOurs.add(other);
            if (latest && consider(latest)) settle();
          },
          (err: unknown) => deps.log.warn({ err, runId: request.id, revision: other }, 'could not compare revisions'),
        );
      }
      const shown = describe(state);
      if (shown !== lastShown && (state.operationRevision === revision || state.syncRevision === revision)) {
        lastShown = shown;
        updates.say(`:hourglass_flowing_sand: ${ref.name}: ${shown}`);
      }
      return false;
    },
    deps.clock.now() + env.argocd.timeout,
    settled,
  );
  const final = verdict as Verdict;
  if (!reached || !final.done) throw new UserError(`Timed out after ${Math.round(env.argocd.timeout / 1000)}s waiting for ${ref.name} to sync \`${revision.slice(0, 7)}\` and become healthy (last seen: ${lastShown || 'no change'}).`);
  if (!final.ok) throw new UserError(final.reason);

  const succeeded = await deps.store.transition(request.id, 'syncing', 'succeeded', { outcome: `${ref.name} synced and healthy` }, deps.clock.now());
  if (!succeeded) return deps.store.getRequest(request.id);
  await recordStep(deps, request.id, 'flightdeck', 'succeeded', { application: ref.name, revision });
  deps.metrics.workflowOutcome(succeeded.kind, 'succeeded');
  await closeDeployments(deps, succeeded, true, `${ref.name} synced and healthy`);
  const canary = env.canary ? ` Flagger now analyses canary ${env.canary.name}: \`/canary-status ${env.name}\` shows its progress.` : '';
  updates.say(`:white_check_mark: ${ref.name} is synced to \`${revision.slice(0, 7)}\` and healthy. ${env.name} now runs ${succeeded.version}.${canary}`);
  updates.show(succeeded);
  return succeeded;
}
