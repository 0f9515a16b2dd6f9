// Plays the Argo CD application controller inside the Kubernetes fake: refreshes, sync operations, auto-sync and outcomes.
//
// Shapes follow argoproj/argo-cd pkg/apis/application/v1alpha1/types.go: `.operation` stays set while the operation
// runs and is cleared when it completes; `status.operationState` holds phase, message, operation, startedAt,
// finishedAt and syncResult.revision. Unlike the real controller it reads no git and applies no manifests: a refresh
// only records and removes the annotation, and a sync lands on whatever revision the operation names.
import { typeKey, typeOfKind } from './kinds.js';
import type { ObjectStore, StoredEvent } from './objects.js';
import { Steps } from './steps.js';

export type SyncOutcome = 'succeed' | 'fail' | 'degrade' | 'hang';

const APP = typeOfKind('argoproj.io/v1alpha1', 'Application');
const REFRESH = 'argocd.argoproj.io/refresh';

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export class ArgoSimulator {
  private readonly steps = new Steps();
  private running = false;
  private readonly outcomes = new Map<string, SyncOutcome>();
  /** the message a failed operation of an app reports, where a test set one */
  private readonly failureMessages = new Map<string, string>();
  private readonly refreshLog = new Map<string, string[]>();
  /** namespace/name of apps with an operation being handled */
  private readonly busy = new Set<string>();
  private readonly hanging = new Set<string>();
  private readonly refreshing = new Set<string>();

  constructor(private readonly store: ObjectStore) {
    store.subscribe((e) => this.onEvent(e));
  }

  /** Starts acting on Applications: refresh annotations and `.operation.sync`, each step taking stepMs. */
  start(opts: { stepMs?: number } = {}): void {
    this.steps.stepMs = opts.stepMs ?? this.steps.stepMs;
    this.running = true;
    for (const app of this.store.list(APP)) this.react(app);
  }

  stop(): void {
    this.running = false;
    this.steps.cancelAll();
    this.busy.clear();
    this.hanging.clear();
    this.refreshing.clear();
  }

  /** How the next operations of an app end: 'succeed' (default), 'fail', 'degrade' (synced, health Degraded), 'hang' (stays Running). */
  setOutcome(name: string, outcome: SyncOutcome, opts: { message?: string } = {}): void {
    this.outcomes.set(name, outcome);
    if (opts.message !== undefined) this.failureMessages.set(name, opts.message);
    else this.failureMessages.delete(name);
    if (outcome === 'hang') return;
    for (const key of [...this.hanging]) {
      if (key.endsWith(`/${name}`)) {
        this.hanging.delete(key);
        this.later(() => this.finish(key));
      }
    }
  }

  /** Seeds an Application (source, Synced/Healthy, optional automated sync policy) in namespace argocd unless given. */
  seedApplication(input: { name: string; namespace?: string; path: string; automated?: boolean; revision?: string; repoURL?: string; destinationNamespace?: string }): any {
    const source = { repoURL: input.repoURL ?? 'https://github.com/acme/gitops.git', path: input.path, targetRevision: 'main' };
    return this.store.put(APP, input.namespace ?? 'argocd', {
      metadata: { name: input.name, namespace: input.namespace ?? 'argocd' },
      spec: {
        project: 'default',
        source,
        destination: { server: 'https://kubernetes.default.svc', namespace: input.destinationNamespace ?? input.name },
        syncPolicy: input.automated ? { automated: { prune: true, selfHeal: true } } : {},
      },
      status: {
        sync: { status: 'Synced', ...(input.revision ? { revision: input.revision } : {}), comparedTo: { source, destination: { server: 'https://kubernetes.default.svc' } } },
        health: { status: 'Healthy' },
        sourceType: 'Kustomize',
        reconciledAt: now(),
      },
    });
  }

  /** What an auto-synced app does when git moves: it goes OutOfSync and starts its own (automated) sync operation. */
  autoSync(name: string, revision: string, namespace = 'argocd'): void {
    const app = this.store.get(APP, namespace, name);
    if (!app) throw new Error(`Application ${namespace}/${name} does not exist in the fake`);
    app.operation = { initiatedBy: { automated: true }, sync: { revision, prune: true }, retry: { limit: 5 } };
    app.status = { ...app.status, sync: { ...app.status?.sync, status: 'OutOfSync' } };
    this.store.put(APP, namespace, app);
  }

  /** The refresh annotation values seen on an app, in order. */
  refreshes(name: string): string[] {
    return [...(this.refreshLog.get(name) ?? [])];
  }

  private onEvent(e: StoredEvent): void {
    if (e.key !== typeKey(APP) || e.type === 'DELETED') return;
    this.react(e.object);
  }

  private react(app: any): void {
    const name: string = app.metadata.name;
    const key = `${app.metadata.namespace}/${name}`;
    const refresh = app.metadata.annotations?.[REFRESH];
    if (refresh === undefined) this.refreshing.delete(key);
    else if (!this.refreshing.has(key)) {
      this.refreshing.add(key);
      this.refreshLog.set(name, [...(this.refreshLog.get(name) ?? []), String(refresh)]);
      if (this.running) this.later(() => this.refreshed(key));
    }
    if (this.running && app.operation?.sync && !this.busy.has(key)) {
      this.busy.add(key);
      this.later(() => this.begin(key));
    }
  }

  private later(fn: () => void): void {
    this.steps.later(fn);
  }

  private load(key: string): { namespace: string; app: any } | null {
    const [namespace, name] = key.split('/') as [string, string];
    const app = this.store.get(APP, namespace, name);
    return app ? { namespace, app } : null;
  }

  /** The controller removes the refresh annotation once it has compared the app. */
  private refreshed(key: string): void {
    this.refreshing.delete(key);
    const found = this.load(key);
    if (!found?.app.metadata.annotations?.[REFRESH]) return;
    const { namespace, app } = found;
    delete app.metadata.annotations[REFRESH];
    app.status = { ...app.status, reconciledAt: now() };
    this.store.put(APP, namespace, app);
  }

  private begin(key: string): void {
    const found = this.load(key);
    if (!found?.app.operation) {
      this.busy.delete(key);
      return;
    }
    const { namespace, app } = found;
    app.status = { ...app.status, operationState: { operation: app.operation, phase: 'Running', message: 'one or more tasks are running', startedAt: now() } };
    this.store.put(APP, namespace, app);
    if ((this.outcomes.get(app.metadata.name) ?? 'succeed') === 'hang') this.hanging.add(key);
    else this.later(() => this.finish(key));
  }

  private finish(key: string): void {
    this.busy.delete(key);
    const found = this.load(key);
    const state = found?.app.status?.operationState;
    if (!found || state?.phase !== 'Running') return;
    const { namespace, app } = found;
    const outcome = this.outcomes.get(app.metadata.name) ?? 'succeed';
    const revision: string = state.operation?.sync?.revision ?? app.spec.source?.targetRevision ?? 'HEAD';
    const failed = outcome === 'fail';
    app.status = {
      ...app.status,
      operationState: {
        ...state,
        phase: failed ? 'Failed' : 'Succeeded',
        message: failed ? (this.failureMessages.get(app.metadata.name) ?? 'one or more objects failed to apply, reason: simulated failure (sandbox)') : 'successfully synced (all tasks run)',
        finishedAt: now(),
        syncResult: { revision, source: app.spec.source },
      },
      sync: failed ? { ...app.status.sync, status: 'OutOfSync' } : { ...app.status.sync, status: 'Synced', revision },
      health: failed ? app.status.health : outcome === 'degrade' ? { status: 'Degraded', message: 'Deployment has not progressed (sandbox)' } : { status: 'Healthy' },
      ...(failed ? {} : { history: [...(app.status.history ?? []), { id: (app.status.history?.length ?? 0), revision, deployedAt: now(), source: app.spec.source }].slice(-10) }),
    };
    delete app.operation;
    this.store.put(APP, namespace, app);
  }
}
