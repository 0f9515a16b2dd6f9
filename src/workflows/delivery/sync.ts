// Steps committed -> syncing (ask Argo CD to sync, never over another operation) and syncing -> analysing | succeeded (follow it).
import { UserError } from '../../domain/problems.js';
import { isArgoFree, judgeSync, syncProgress, type SyncVerdict } from '../../domain/syncVerdict.js';
import type { DeployRequest } from '../../domain/types.js';
import type { ArgoAppRef, ArgoAppState } from '../../ports.js';
import type { WorkflowDeps } from '../context.js';
import { argoAppUrl, argoRefOf } from '../requests.js';
import { canaryRefOf } from './canary.js';
import { openDeployments } from './deployments.js';
import type { StepContext, StepResult } from './step.js';
import { waitForApplication } from './watchUntil.js';

/** For manually synced environments, asks Argo CD to sync the commit; auto environments sync themselves. */
export async function requestSync(ctx: StepContext, request: DeployRequest): Promise<StepResult> {
  const { deps, env } = ctx;
  const ref = argoRefOf(env);
  const revision = request.commitSha!;
  const url = argoAppUrl(env);
  if (env.argocd.sync === 'manual') {
    // Read alongside the commit, or now (after a restart, the sync may already have been asked for: never twice). Each
    // attempt reads again, so a sync applied whose answer was lost is found rather than asked for twice.
    let alongside = ctx.application;
    await untilAnswered(ctx, ref.name, deps.clock.now() + env.argocd.timeout, async () => {
      const known = (alongside ? await alongside : null) ?? (await deps.cluster.getApplication(ref));
      alongside = undefined;
      if (!isOurs(known, revision) || (endedBadly(known) && (await retriedSinceAsked(deps, request.id)))) await requestSyncWhenFree(ctx, request, ref, known);
    });
  } else if (await retriedSinceAsked(deps, request.id)) {
    // Argo CD does not sync a revision again by itself after its automated sync of it failed: a retry asks for one.
    await untilAnswered(ctx, ref.name, deps.clock.now() + env.argocd.timeout, async () => {
      const known = await deps.cluster.getApplication(ref);
      if (known?.operationRevision === revision && endedBadly(known)) await requestSyncWhenFree(ctx, request, ref, known);
      else await ctx.say({ type: 'sync-auto', application: ref.name, revision, url });
    });
  } else {
    await ctx.say({ type: 'sync-auto', application: ref.name, revision, url });
  }
  await openDeployments(ctx, request).catch((err: unknown) => deps.log.warn({ err, runId: request.id }, 'could not create GitHub deployments'));
  return { next: 'syncing' };
}

/** First retry after the Kubernetes API failed to answer; doubled up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5_000;

/**
 * Runs a Kubernetes call again while the API does not answer (down, hung: any error but a refusal), saying so once in the
 * thread; after the deadline the run fails with the reason. A refusal (UserError) is not retried.
 */
async function untilAnswered(ctx: StepContext, application: string, deadline: number, call: () => Promise<void>): Promise<void> {
  const { deps, env } = ctx;
  let delay = RETRY_FIRST_MS;
  let said = false;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (err instanceof UserError) throw err;
      const detail = failureOf(err);
      const left = deadline - deps.clock.now();
      if (left <= 0) throw new UserError({ code: 'cluster-unreachable', application, detail, afterMs: env.argocd.timeout, stage: 'request' });
      deps.log.warn({ err, application, retryInMs: delay }, 'the Kubernetes API did not answer; retrying');
      if (!said) await ctx.say({ type: 'cluster-unreachable', application, detail, retryForMs: left });
      said = true;
      await deps.clock.sleep(Math.min(delay, left), deps.shutdown);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }
}

/** A short account of a failed call for people: the HTTP status where there is one, else the first line of the error. */
function failureOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return `HTTP ${code}`;
  const line = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/** The Application's newest operation is a sync of our revision (asked for before a restart, or an answer that was lost). */
function isOurs(state: ArgoAppState | null, revision: string): boolean {
  return state !== null && state.operationRevision === revision && (state.operationPending || state.operationPhase !== null);
}

/** Our operation is over and did not succeed (Failed, Error): following it again would only say so again. */
function endedBadly(state: ArgoAppState | null): boolean {
  return state !== null && !state.operationPending && (state.operationPhase === 'Failed' || state.operationPhase === 'Error');
}

/**
 * A person pressed Retry sync after the last sync was asked for: the ended operation is not the answer, a new one is.
 * Read from the run's record, so a retry carried over by a restart or another replica asks anew too.
 */
async function retriedSinceAsked(deps: WorkflowDeps, runId: string): Promise<boolean> {
  const actions = (await deps.store.auditOf(runId)).map((e) => e.action);
  return actions.lastIndexOf('sync-retried') > actions.lastIndexOf('sync-requested');
}

/** Never overwrites an operation in progress: reports it, waits for it to end, then asks again. */
async function requestSyncWhenFree(ctx: StepContext, request: DeployRequest, ref: ArgoAppRef, known: ArgoAppState | null): Promise<void> {
  const { deps, env } = ctx;
  const revision = request.commitSha!;
  const info = [{ name: 'flightdeck-run', value: request.id }, { name: 'requested-by', value: request.requester }];
  const deadline = deps.clock.now() + env.argocd.timeout;
  let basis = known;
  for (;;) {
    let result;
    try {
      result = await deps.cluster.requestSync(ref, { revision, username: request.requester, info }, basis);
    } catch (err) {
      // The answer may be lost while the write was applied: the operation then names our revision.
      if (!isOurs(await deps.cluster.getApplication(ref).catch(() => null), revision)) throw err;
      result = { started: true as const };
    }
    if (result.started) {
      await ctx.say({ type: 'sync-requested', application: ref.name, revision, initiatedBy: request.requester, url: argoAppUrl(env) });
      return;
    }
    await ctx.say({ type: 'sync-busy', application: ref.name, phase: result.phase, by: result.by });
    const free = await waitForApplication(deps, ref, isArgoFree, deadline);
    if (!free) throw new UserError({ code: 'argo-kept-busy', application: ref.name });
    basis = null;
  }
}

/**
 * Judges the states of the Application against one revision. Argo CD compares against the branch head, which moves
 * when others push: for auto-synced apps a newer synced revision that contains ours counts as ours. Which ones do is
 * asked of GitHub once per revision, off the watch callback; `settled` resolves when such an answer decides it.
 */
class SyncJudge {
  verdict: SyncVerdict = { done: false };
  readonly settled: Promise<void>;
  private settle: () => void = () => undefined;
  private readonly containsOurs = new Set<string>();
  private readonly asked = new Set<string>();
  private latest: ArgoAppState | null = null;

  constructor(
    private readonly deps: WorkflowDeps,
    private readonly revision: string,
    private readonly application: string,
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
    this.verdict = judgeSync(seen, this.revision, this.application);
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
export async function followSync(ctx: StepContext, request: DeployRequest): Promise<StepResult> {
  const { deps, env } = ctx;
  const revision = request.commitSha!;
  const ref = argoRefOf(env);
  // Only auto-synced apps need it: for the others, our own operation's result says whether our commit was applied.
  const judging = new SyncJudge(deps, revision, ref.name, request.id, env.argocd.sync === 'auto');
  let shown = '';
  let lastSeen: string | null = null;
  const onState = (state: ArgoAppState): boolean => {
    if (judging.observe(state)) return true;
    const progress = syncProgress(state, revision);
    const key = JSON.stringify(progress);
    if (progress && key !== shown) {
      shown = key;
      lastSeen = `${progress.phase ?? 'no operation'}, app ${progress.syncStatus} / ${progress.health}`;
      void ctx.say({ type: 'sync-progress', application: ref.name, ...progress }).catch((err: unknown) => deps.log.warn({ err, runId: request.id }, 'could not record sync progress'));
    }
    return false;
  };
  const deadline = deps.clock.now() + env.argocd.timeout;
  // The first time the API does not answer while following, the thread says so (the watch retries until the deadline).
  let troubleSaid = false;
  const onTrouble = (detail: string): void => {
    if (troubleSaid) return;
    troubleSaid = true;
    const retryForMs = Math.max(0, deadline - deps.clock.now());
    void ctx.say({ type: 'cluster-unreachable', application: ref.name, detail, retryForMs }).catch((err: unknown) => deps.log.warn({ err, runId: request.id }, 'could not record the unreachable cluster'));
  };
  const reached = await waitForApplication(deps, ref, onState, deadline, judging.settled, onTrouble);
  const verdict = judging.verdict;
  if (!reached || !verdict.done) {
    // A watch retries quietly; at the deadline, say whether the cluster was there at all.
    const unreachable = await deps.cluster.getApplication(ref).then(() => null, failureOf);
    if (unreachable !== null) return { fail: { code: 'cluster-unreachable', application: ref.name, detail: unreachable, afterMs: env.argocd.timeout, stage: 'follow' } };
    return { fail: { code: 'sync-timeout', application: ref.name, revision, afterMs: env.argocd.timeout, lastSeen } };
  }
  if (!verdict.ok) return { fail: verdict.problem };
  await ctx.say({ type: 'synced', application: ref.name, revision });
  if (request.canaryBaseline !== null && canaryRefOf(env)) return { next: 'analysing' };
  return { end: { result: 'succeeded', application: ref.name, canary: null } };
}
