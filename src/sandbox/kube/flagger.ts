// Plays the Flagger controller inside the Kubernetes fake: canary analyses that step the weight up, count failed
// checks, hold at a confirm-promotion gate and promote.
//
// Status follows fluxcd/flagger pkg/canary/status.go: a new revision sets phase Progressing and a new lastAppliedSpec;
// any phase but Progressing/Waiting zeroes canaryWeight and iterations; Succeeded (and Initialized) copies
// lastAppliedSpec to lastPromotedSpec; the one `Promoted` condition is rewritten only when its status or reason changes,
// and keeps its lastTransitionTime while its status stays. Unlike the real controller it routes no traffic, reads no
// metrics and hashes no pod spec: an analysis ends as setOutcome says, lastAppliedSpec is `spec-<n>`, and a "new
// revision of the target" is analyse() or a finished sync of the linked Argo CD Application. It does call the Canary's
// confirm-rollout, confirm-promotion and rollback webhooks as Flagger does (flaggerHooks.ts): a revision waits in
// Waiting / WaitingPromotion until they pass, and a passing rollback hook fails the analysis. Plans follow the spec:
// stepWeight/maxWeight, the stepWeights list, or blue/green (analysis.iterations and no weights: iterations count up,
// no traffic shifts). `crdInstalled = false` makes the API server answer as one without Flagger's CRDs.
import { typeKey, typeOfKind } from './kinds.js';
import type { ObjectStore, StoredEvent } from './objects.js';
import { conditionsFor, now } from './flaggerStatus.js';
import { FlaggerHooks } from './flaggerHooks.js';
import { nextWeight, planSettings, seededCanary, type SeedCanary } from './flaggerPlan.js';
import { Steps } from './steps.js';

export type AnalysisOutcome = 'succeed' | 'fail' | 'wait-promotion' | 'hang';

const CANARY = typeOfKind('flagger.app/v1beta1', 'Canary');
const APP = typeOfKind('argoproj.io/v1alpha1', 'Application');

/** One running analysis; analyse() replaces it, so steps scheduled for an older one find it gone and do nothing. */
interface Analysis {
  /** promote() was called: the confirm-promotion gate passes */
  approved: boolean;
  /** why no step is scheduled: the outcome is 'hang', WaitingPromotion without approval, or Waiting on confirm-rollout */
  held: 'hang' | 'promotion' | 'rollout' | null;
  /** a step timer is pending */
  scheduled: boolean;
}

export class FlaggerSimulator {
  private readonly steps = new Steps();
  private running = false;
  private hashes = 0;
  private readonly outcomes = new Map<string, AnalysisOutcome>();
  /** namespace/name of a canary -> its analysis while one runs */
  private readonly analyses = new Map<string, Analysis>();
  /** namespace/name of a canary -> namespace/name of the Application whose syncs change its target */
  private readonly links = new Map<string, string>();
  /** namespace/name of an Application -> the last synced revision seen, so only a new one starts analyses */
  private readonly appRevisions = new Map<string, string | undefined>();
  private readonly history = new Map<string, string[]>();
  /** the webhooks Flagger calls, and every call made */
  readonly hooks = new FlaggerHooks();
  /** false: the API server has no flagger.app resources (404 for the type, as without Flagger installed) */
  crdInstalled = true;

  constructor(private readonly store: ObjectStore) {
    store.subscribe((e) => this.onEvent(e));
  }

  /** Starts acting: each analysis step takes stepMs (default 20); analyses paused by stop() go on. */
  start(opts: { stepMs?: number } = {}): void {
    this.steps.stepMs = opts.stepMs ?? this.steps.stepMs;
    this.running = true;
    for (const [key, analysis] of this.analyses) this.schedule(key, analysis);
    // Syncs that finished while stopped still changed the target, as Flagger finds on its next reconcile.
    for (const app of this.store.list(APP)) this.onApplication(app);
  }

  stop(): void {
    this.running = false;
    this.steps.cancelAll();
    for (const analysis of this.analyses.values()) analysis.scheduled = false;
  }

  /** Seeds a flagger.app/v1beta1 Canary, already promoted (phase Succeeded, lastAppliedSpec === lastPromotedSpec). `application` links it to an Argo CD Application: when that app finishes a sync (status.operationState.phase Succeeded) of a revision it had not synced before, the canary's target changed and an analysis starts. */
  seedCanary(input: SeedCanary): any {
    const key = `${input.namespace}/${input.name}`;
    this.analyses.delete(key);
    this.history.set(key, []);
    this.link(key, input.application);
    return this.store.put(CANARY, input.namespace, seededCanary(input, this.nextHash(), now()));
  }

  /** How the next analyses of that canary end (default 'succeed'); read at every step, and it releases a 'hang'. */
  setOutcome(namespace: string, name: string, outcome: AnalysisOutcome): void {
    const key = `${namespace}/${name}`;
    this.outcomes.set(key, outcome);
    const analysis = this.analyses.get(key);
    if (analysis?.held === 'hang' && outcome !== 'hang') {
      analysis.held = null;
      this.schedule(key, analysis);
    }
  }

  /** What Flagger does when it detects a new revision of the target: starts an analysis now (restarting a running one). */
  analyse(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const canary = this.store.get(CANARY, namespace, name);
    if (!canary) throw new Error(`Canary ${key} does not exist in the fake`);
    const analysis: Analysis = { approved: false, held: null, scheduled: false };
    this.analyses.set(key, analysis);
    const lastAppliedSpec = this.nextHash();
    if (this.hooks.has(canary, 'confirm-rollout')) {
      // Flagger holds a new revision in Waiting until confirm-rollout passes.
      this.write(canary, { phase: 'Waiting', canaryWeight: 0, iterations: 0, failedChecks: 0, lastAppliedSpec });
      analysis.held = 'rollout';
      this.pollGate(key, analysis, 'confirm-rollout');
      return;
    }
    this.write(canary, { phase: 'Progressing', canaryWeight: nextWeight(canary, 0), iterations: 0, failedChecks: 0, lastAppliedSpec });
    this.schedule(key, analysis);
  }

  /** Releases an analysis held in WaitingPromotion (as a passing confirm-promotion gate would); before it gets there, it will not stop. */
  promote(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const analysis = this.analyses.get(key);
    if (!analysis) return;
    analysis.approved = true;
    if (analysis.held === 'promotion') {
      analysis.held = null;
      this.schedule(key, analysis);
    }
  }

  /** Phases this canary went through, in order (test helper): those written since it was seeded, repeats collapsed. */
  phases(namespace: string, name: string): string[] {
    return [...(this.history.get(`${namespace}/${name}`) ?? [])];
  }

  private onEvent(e: StoredEvent): void {
    if (e.key !== typeKey(APP) || e.type === 'DELETED') return;
    this.onApplication(e.object);
  }

  /** A finished sync of a new revision of a linked app changed the canaries' targets. */
  private onApplication(app: any): void {
    const appKey = `${app.metadata.namespace}/${app.metadata.name}`;
    const canaries = [...this.links].filter(([, linked]) => linked === appKey).map(([key]) => key);
    if (!this.running || canaries.length === 0) return;
    const state = app.status?.operationState;
    const revision: string | undefined = state?.syncResult?.revision;
    if (state?.phase !== 'Succeeded' || !revision || revision === this.appRevisions.get(appKey)) return;
    this.appRevisions.set(appKey, revision);
    // Deferred: this runs inside the store's put of the Application, and Flagger notices on its next reconcile anyway.
    this.later(() => {
      for (const key of canaries) {
        const [namespace, name] = key.split('/') as [string, string];
        if (this.store.get(CANARY, namespace, name)) this.analyse(namespace, name);
      }
    });
  }

  private link(key: string, application: { name: string; namespace?: string } | undefined): void {
    if (!application) {
      this.links.delete(key);
      return;
    }
    const namespace = application.namespace ?? 'argocd';
    const appKey = `${namespace}/${application.name}`;
    this.links.set(key, appKey);
    // What the app runs now is what the seeded (promoted) canary already analysed.
    const app = this.store.get(APP, namespace, application.name);
    this.appRevisions.set(appKey, app?.status?.sync?.revision ?? app?.status?.operationState?.syncResult?.revision);
  }

  private nextHash(): string {
    return `spec-${++this.hashes}`;
  }

  /** Polls a gate webhook once per step while the analysis waits on it; a pass releases it. */
  private pollGate(key: string, analysis: Analysis, type: 'confirm-rollout' | 'confirm-promotion'): void {
    this.later(() => {
      const [namespace, name] = key.split('/') as [string, string];
      const canary = this.store.get(CANARY, namespace, name);
      if (!this.running || this.analyses.get(key) !== analysis || !canary) return;
      void Promise.all([this.hooks.call(canary, type), this.hooks.has(canary, 'rollback') ? this.hooks.call(canary, 'rollback') : Promise.resolve(false)]).then(([pass, rollback]) => {
        const latest = this.store.get(CANARY, namespace, name);
        if (this.analyses.get(key) !== analysis || !latest) return;
        if (rollback) return this.advance(key, latest, analysis, 'Failed');
        if (!pass) return this.pollGate(key, analysis, type);
        analysis.held = null;
        if (type === 'confirm-promotion') {
          analysis.approved = true;
          return this.schedule(key, analysis);
        }
        this.write(latest, { phase: 'Progressing', canaryWeight: nextWeight(latest, 0) });
        this.schedule(key, analysis);
      });
    });
  }

  /** Flagger polls the rollback webhook while an analysis runs: a pass fails the analysis (traffic back to the primary). */
  private checkRollback(key: string, analysis: Analysis, canary: any): void {
    if (!this.hooks.has(canary, 'rollback')) return;
    void this.hooks.call(canary, 'rollback').then((pass) => {
      const latest = this.store.get(CANARY, canary.metadata.namespace, canary.metadata.name);
      if (pass && latest && this.analyses.get(key) === analysis) this.advance(key, latest, analysis, 'Failed');
    });
  }

  private later(fn: () => void): void {
    this.steps.later(fn);
  }

  /** One pending step per analysis at most, and none while stopped (start() schedules what is left). */
  private schedule(key: string, analysis: Analysis): void {
    if (!this.running || analysis.scheduled || analysis.held) return;
    analysis.scheduled = true;
    this.later(() => {
      analysis.scheduled = false;
      this.step(key, analysis);
    });
  }

  private step(key: string, analysis: Analysis): void {
    if (this.analyses.get(key) !== analysis) return;
    const [namespace, name] = key.split('/') as [string, string];
    const canary = this.store.get(CANARY, namespace, name);
    const phase: string | undefined = canary?.status?.phase;
    if (phase === 'Progressing') return this.progress(key, canary, analysis);
    if (phase === 'WaitingPromotion' && analysis.approved) return this.advance(key, canary, analysis, 'Promoting');
    if (phase === 'WaitingPromotion') {
      analysis.held = 'promotion';
      return;
    }
    if (phase === 'Promoting') return this.advance(key, canary, analysis, 'Finalising');
    if (phase === 'Finalising') return this.advance(key, canary, analysis, 'Succeeded');
    // Deleted, or someone else set the phase: this analysis is over.
    this.analyses.delete(key);
  }

  /** One analysis interval while Progressing: step the weight, or count a failed check, or leave the analysis. */
  private progress(key: string, canary: any, analysis: Analysis): void {
    const outcome = this.outcomes.get(key) ?? 'succeed';
    const { maxWeight, threshold, iterations } = planSettings(canary);
    const status = canary.status;
    this.checkRollback(key, analysis, canary);
    if (outcome === 'hang') {
      analysis.held = 'hang';
      return;
    }
    if (outcome === 'fail') {
      // Flagger rolls back on the interval after the one whose check reached the threshold.
      if (status.failedChecks >= threshold) return this.advance(key, canary, analysis, 'Failed');
      this.write(canary, { failedChecks: status.failedChecks + 1 });
      return this.schedule(key, analysis);
    }
    if (iterations !== null ? status.iterations < iterations : status.canaryWeight < maxWeight) {
      const next = iterations !== null ? { iterations: status.iterations + 1 } : { canaryWeight: nextWeight(canary, status.canaryWeight), iterations: status.iterations + 1 };
      this.write(canary, next);
      return this.schedule(key, analysis);
    }
    const gated = this.hooks.has(canary, 'confirm-promotion');
    if ((outcome === 'wait-promotion' || gated) && !analysis.approved) {
      analysis.held = 'promotion';
      this.write(canary, { phase: 'WaitingPromotion' });
      if (gated) this.pollGate(key, analysis, 'confirm-promotion');
      return;
    }
    this.advance(key, canary, analysis, 'Promoting');
  }

  /** Moves to the next phase; Succeeded and Failed end the analysis. */
  private advance(key: string, canary: any, analysis: Analysis, phase: string): void {
    this.write(canary, { phase });
    if (phase === 'Succeeded' || phase === 'Failed') this.analyses.delete(key);
    else this.schedule(key, analysis);
  }

  /** Writes a status change the way setStatusPhase/syncCanaryStatus do, so watchers see one MODIFIED per change. */
  private write(canary: any, change: Record<string, unknown>): void {
    const previous = canary.status ?? {};
    const status = { ...previous, ...change, lastTransitionTime: now() };
    const phase: string = status.phase;
    if (phase !== 'Progressing' && phase !== 'Waiting') {
      status.canaryWeight = 0;
      status.iterations = 0;
    }
    if (phase === 'Succeeded' || phase === 'Initialized') status.lastPromotedSpec = status.lastAppliedSpec;
    status.conditions = conditionsFor(previous.conditions, phase, canary.spec?.targetRef?.kind ?? 'Deployment');
    const key = `${canary.metadata.namespace}/${canary.metadata.name}`;
    const seen = this.history.get(key) ?? [];
    if (seen.at(-1) !== phase) this.history.set(key, [...seen, phase]);
    this.store.put(CANARY, canary.metadata.namespace, { ...canary, status });
  }
}

