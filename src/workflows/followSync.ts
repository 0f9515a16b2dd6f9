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
import { followCanary } from './followCanary.js';

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

/**
 * Judges the states of the Application against one revision. Argo CD compares against the branch head, which moves
 * when others push: for auto-synced apps a newer synced revision that contains ours counts as ours. Which ones do is
 * asked of GitHub once per revision, off the watch callback; `settled` resolves when such an answer decides it.
 */
class SyncJudge {
  verdict: Verdict = { done: false };
  readonly settled: Promise<void>;
  private settle: () => void = () => undefined;
  private readonly containsOurs = new Set<string>();
  private readonly asked = new Set<string>();
  private latest: ArgoAppState | null = null;

  constructor(
    private readonly deps: WorkflowDeps,
    private readonly revision: string,
    private readonly runId: string,
    private readonly followNewerHeads: boolean,
  ) {
    this.settled = new Promise<void>((resolve) => (this.settle = resolve));
  }

  /** True when the state decides the sync (either way). */
  observe(state: ArgoAppState): boolean {
    this.latest = state;
    if (this.consider(state)) return true;
    if (this.followNewerHeads) this.askAbout(state);
    return false;
  }

  private consider(state: ArgoAppState): boolean {
    const seen = state.syncRevision && this.containsOurs.has(state.syncRevision) ? { ...state, syncRevision: this.revision } : state;
    this.verdict = judge(seen, this.revision);
    return this.verdict.done;
  }

  private askAbout(state: ArgoAppState): void {
    const other = state.syncRevision;
    if (!other || other === this.revision || state.syncStatus !== 'Synced' || this.asked.has(other)) return;
    this.asked.add(other);
    this.deps.gitops.contains(other, this.revision).then(
      (yes) => {
        if (!yes) return;
        this.containsOurs.add(other);
        if (this.latest && this.consider(this.latest)) this.settle();
      },
      (err: unknown) => this.deps.log.warn({ err, runId: this.runId, revision: other }, 'could not compare revisions'),
    );
  }
}

/** Follows until Synced+Healthy on our revision, failure, or the environment's timeout. */
export async function followSync(deps: WorkflowDeps, request: DeployRequest, updates: ThreadUpdates): Promise<DeployRequest | null> {
  const env = environmentOf(deps, request);
  const revision = request.commitSha!;
  const ref = argoRefOf(env);
  // Only auto-synced apps need it: for the others, our own operation's result says whether our commit was applied.
  const judging = new SyncJudge(deps, revision, request.id, env.argocd.sync === 'auto');
  let lastShown = '';
  const onState = (state: ArgoAppState): boolean => {
    if (judging.observe(state)) return true;
    const shown = describe(state);
    if (shown !== lastShown && (state.operationRevision === revision || state.syncRevision === revision)) {
      lastShown = shown;
      updates.say(`:hourglass_flowing_sand: ${ref.name}: ${shown}`);
    }
    return false;
  };
  const reached = await waitForApplication(deps, ref, onState, deps.clock.now() + env.argocd.timeout, judging.settled);
  const final = judging.verdict;
  if (!reached || !final.done) throw new UserError(`Timed out after ${Math.round(env.argocd.timeout / 1000)}s waiting for ${ref.name} to sync \`${revision.slice(0, 7)}\` and become healthy (last seen: ${lastShown || 'no change'}).`);
  if (!final.ok) throw new UserError(final.reason);

  const synced = `:white_check_mark: ${ref.name} is synced to \`${revision.slice(0, 7)}\` and healthy.`;
  let outcome = `${ref.name} synced and healthy`;
  let last = synced;
  if (request.canaryBaseline !== null) {
    updates.say(synced);
    const canary = await followCanary(deps, request, updates);
    if (canary !== null) {
      outcome = `${outcome}; ${canary}`;
      last = `:white_check_mark: Canary ${env.canary?.name ?? ''}: ${canary}.`;
    }
  }
  const succeeded = await deps.store.transition(request.id, 'syncing', 'succeeded', { outcome }, deps.clock.now());
  if (!succeeded) return deps.store.getRequest(request.id);
  await recordStep(deps, request.id, 'flightdeck', 'succeeded', { application: ref.name, revision });
  deps.metrics.workflowOutcome(succeeded.kind, 'succeeded');
  await closeDeployments(deps, succeeded, true, outcome);
  updates.say(`${last} ${env.name} now runs ${succeeded.version}.`);
  updates.show(succeeded);
  return succeeded;
}
