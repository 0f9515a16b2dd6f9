// The interfaces workflows need from the outside world; adapters implement them, tests use the same ones.
import type { AppChange, AuditEntry, CommitSummary, DeployRequest, Lock, RequestState, Timer } from './domain/types.js';
import type { RunEvent } from './domain/runEvents.js';
import type { IncidentStore } from './workflows/incidentPorts.js';
import type { CanaryDetail } from './domain/canary.js';
import type { CanaryFollower, CanaryGate, CanaryRevision, GateApprovalOutcome, GateKey } from './domain/canaryGates.js';
import type { ArgoAppState, CanaryState } from './domain/clusterState.js';

export type { ArgoAppState, CanaryState };

/** A file of the GitOps repository as read at the branch head. */
export interface RepoFile {
  path: string;
  content: string;
  /** blob sha: the optimistic write is based on it */
  sha: string;
}

/** The GitOps repository (one branch of it). */
export interface GitOpsRepo {
  /** The file at the head of the branch, or null when it does not exist. */
  readFile(path: string): Promise<RepoFile | null>;
  /**
   * Commits new content for a file that must still be the version read (`base.sha`).
   * Throws GitConflictError when someone changed it meanwhile; never forces.
   */
  writeFile(base: RepoFile, content: string, message: string): Promise<{ commitSha: string }>;
  /** The newest commit of the branch that touched the path, with its message (to recognise a write of ours). */
  lastCommitOf(path: string): Promise<{ sha: string; message: string } | null>;
  /** The newest commits of the branch that touched the path (newest first), at most `limit`. */
  historyOf(path: string, limit: number): Promise<Array<{ sha: string; message: string }>>;
  /** The file as it was at a commit, or null when it did not exist there. */
  readFileAt(path: string, sha: string): Promise<RepoFile | null>;
  /** A link to a commit of the repository for people, or null. */
  commitUrl(sha: string): string | null;
  /** True when `descendant`'s history includes `ancestor` (or they are the same commit). */
  contains(descendant: string, ancestor: string): Promise<boolean>;
}

export type CheckState = 'success' | 'failure' | 'pending' | 'missing';

export interface CheckResult {
  name: string;
  state: CheckState;
  url: string | null;
}

/** The application source repositories: tags, commits, checks, compares, deployments. */
export interface SourceRepos {
  /**
   * The commit a version names, or null when the repository has none: a tag must be a tag (not a branch or a sha),
   * a commit a (possibly short) sha.
   */
  resolveRef(repo: string, ref: string, kind: 'tag' | 'commit'): Promise<{ sha: string } | null>;
  /**
   * The commit a version names and its named checks, or null when the repository has no such tag (or commit): the
   * whole of what a promotion needs to know about a version, in as few calls as the server allows.
   */
  lookupVersion(repo: string, ref: string, kind: 'tag' | 'commit', checks: string[]): Promise<{ sha: string; checks: CheckResult[] } | null>;
  /** The named checks of a ref (check runs, falling back to commit statuses); absent ones are 'missing'. */
  checks(repo: string, ref: string, names: string[]): Promise<CheckResult[]>;
  /** Commits from base to head, newest last, at most `cap` of them listed. */
  compare(repo: string, base: string, head: string, cap: number): Promise<{ total: number; commits: CommitSummary[]; url: string | null } | null>;
  createDeployment(repo: string, input: { ref: string; environment: string; description: string }): Promise<{ id: number }>;
  setDeploymentStatus(repo: string, id: number, state: 'in_progress' | 'success' | 'failure', input: { logUrl?: string; description?: string }): Promise<void>;
}

export interface ArgoAppRef {
  name: string;
  namespace: string;
  /** kubeconfig context; undefined: current */
  context?: string;
}

/** A sync was asked for, or Argo CD is busy with another operation (its phase, and who started it when a person did). */
export type SyncRequestResult = { started: true } | { started: false; phase: string; by: string | null };

/** A Flagger Canary (flagger.app/v1beta1), in the environment's namespace unless configured. */
export type CanaryRef = ArgoAppRef;

/** Kubernetes, as far as Flightdeck uses it. */
export interface Cluster {
  getApplication(ref: ArgoAppRef): Promise<ArgoAppState | null>;
  /**
   * Refresh annotation and `operation.sync` in one write, unless an operation is already there. With `basis` (the
   * Application as read earlier) the write is conditional on its resourceVersion and needs no read of its own.
   */
  requestSync(ref: ArgoAppRef, input: { revision: string; username: string; info: Array<{ name: string; value: string }> }, basis?: ArgoAppState | null): Promise<SyncRequestResult>;
  /**
   * Calls onState with the current state and every change until onState returns true,
   * the signal aborts or the watch cannot be kept; reconnects with backoff. `onTrouble` hears, in a few words, each time
   * the API server could not be read or watched (down, hung) before the watch retries.
   */
  watchApplication(ref: ArgoAppRef, onState: (state: ArgoAppState) => boolean, signal: AbortSignal, onTrouble?: (detail: string) => void): Promise<void>;
  getCanary(ref: CanaryRef): Promise<CanaryState | null>;
  /** As watchApplication, for a Flagger Canary. */
  watchCanary(ref: CanaryRef, onState: (state: CanaryState) => boolean, signal: AbortSignal): Promise<void>;
  /** The Canary with its analysis settings, telling a missing Canary apart from a cluster without Flagger's Canary type. */
  lookupCanary(ref: CanaryRef): Promise<CanaryLookup>;
  /** A MetricTemplate a Canary metric references, or null when there is none. */
  getMetricTemplate(ref: CanaryRef): Promise<MetricTemplateSpec | null>;
}

/** Where a request lives in chat. */
export interface ChatThread {
  channel: string;
  ts: string;
}

/** The chat front: posts and updates what people see. The Slack adapter renders these as Block Kit. */
export interface Chat {
  postRequest(channel: string, request: DeployRequest, view: RequestView): Promise<ChatThread>;
  updateRequest(thread: ChatThread, request: DeployRequest, view: RequestView): Promise<void>;
  /** A reply in the thread; resolves to its ts. */
  postInThread(thread: ChatThread, text: string): Promise<string>;
  /** A link people can open to the thread. */
  permalink(thread: ChatThread): Promise<string>;
  /** A message only `user` sees. */
  tellUser(channel: string, user: string, text: string): Promise<void>;
  /** Members of a Slack user group. */
  groupMembers(group: string): Promise<string[]>;
}

/** Context the request message needs beyond the request itself. */
export interface RequestView {
  approvers: { users: string[]; groups: string[] };
  gitopsRepo: string;
  checks: string[];
  /** the Flagger Canary whose analysis the request waits for after the sync, if any */
  canary?: string;
  /** the Argo CD UI page of the environment's Application */
  argoUrl?: string | null;
}

/** A run as its events are told: its id and, once its request message is posted, its thread. */
export interface RunRef {
  runId: string;
  thread: ChatThread | null;
}

/**
 * The one way workflows say what happened. `emit` records the event (audit entry, log line) before it resolves, then
 * hands it to the sinks (the Slack thread, GitHub Deployment statuses), which word it for their audience without
 * holding up the workflow. `show` updates the run's request message in place, in order with its events.
 */
export interface RunEvents {
  emit(run: RunRef, actor: string, event: RunEvent): Promise<void>;
  show(run: RunRef, request: DeployRequest): void;
  /** Resolves when everything handed to the sinks for this run so far was delivered (or failed and was logged). */
  settled(runId: string): Promise<void>;
}

/** Where events go after they are recorded; each sink words them for its audience. */
export interface RunSink {
  /** Delivers one event; a failure is logged by the recorder and never fails the run. */
  deliver(run: RunRef, actor: string, event: RunEvent): Promise<void>;
  show?(run: RunRef, request: DeployRequest): Promise<void>;
}

export interface Clock {
  now(): number;
  /** Resolves after ms (on this clock), or rejects when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export type ApprovalOutcome =
  | { kind: 'recorded'; request: DeployRequest }
  | { kind: 'duplicate'; request: DeployRequest }
  | { kind: 'approved'; request: DeployRequest }
  | { kind: 'not-pending'; request: DeployRequest }
  | { kind: 'expired'; request: DeployRequest };

/** Durable state. Every state change is atomic; losing a race is reported, not hidden. */
export interface Store extends IncidentStore {
  ping(): Promise<void>;
  close(): Promise<void>;

  createRequest(request: DeployRequest): Promise<void>;
  getRequest(id: string): Promise<DeployRequest | null>;
  /** Compare-and-set: applies the patch only while the state is `from`; returns the new request or null. */
  transition(id: string, from: RequestState, to: RequestState, patch?: Partial<Omit<DeployRequest, 'id' | 'state'>>, at?: number): Promise<DeployRequest | null>;
  /** Updates fields that are not the state (message ts, outcome text). */
  patchRequest(id: string, patch: Partial<Omit<DeployRequest, 'id' | 'state'>>, at: number): Promise<DeployRequest | null>;
  /** Records an approval while pending and not past its expiry; moves to 'approved' when it is the last one needed. */
  approve(id: string, user: string, at: number): Promise<ApprovalOutcome | null>;
  listRequests(states: RequestState[]): Promise<DeployRequest[]>;
  /** The newest requests (of one environment, or all), newest first. */
  recentRequests(env: string | null, limit: number): Promise<DeployRequest[]>;

  putLock(lock: Lock): Promise<void>;
  /** Removes the lock; returns it, or null when there was none. */
  removeLock(env: string): Promise<Lock | null>;
  listLocks(): Promise<Lock[]>;

  audit(entry: AuditEntry): Promise<void>;
  auditOf(runId: string): Promise<AuditEntry[]>;

  /** Schedules a timer; one per (kind, key): scheduling again moves it. */
  schedule(kind: string, key: string, dueAt: number): Promise<void>;
  cancel(kind: string, key: string): Promise<void>;
  /**
   * Claims due timers atomically: each timer is returned to exactly one caller, unless that caller does not finish it
   * within `leaseMs` (default 2 min): then it is claimed again (the replica that held it died).
   */
  claimDue(now: number, limit: number, leaseMs?: number): Promise<Timer[]>;
  /** A claimed timer's handler finished: the timer is deleted, unless it was scheduled again meanwhile. */
  finishTimer(timer: Timer): Promise<void>;

  /**
   * Takes (or renews) the named lease for `owner` until now + ttlMs; false while another owner holds it unexpired.
   * One replica at a time drives a run, follows a canary or keeps an incident's clock.
   */
  takeLease(name: string, owner: string, now: number, ttlMs: number): Promise<boolean>;
  /** Gives the lease up, if `owner` still holds it. */
  releaseLease(name: string, owner: string): Promise<void>;

  /** True the first time an id is seen (Slack retries, double clicks). */
  firstSeen(id: string, at: number): Promise<boolean>;

  // Flagger gates (per canary revision) and the threads following canaries.
  /**
   * Records a revision Flagger presented; a new checksum supersedes the canary's others (their gates are forgotten).
   * `needsSpec`: its spec hash is still unknown (given as null, now and before), so the caller should read the Canary.
   */
  noteCanaryRevision(revision: CanaryRevision): Promise<{ isNew: boolean; needsSpec: boolean }>;
  /** The newest checksum Flagger presented for the canary while it ran this spec hash, or null. */
  canaryChecksumOf(namespace: string, canary: string, appliedSpec: string): Promise<string | null>;
  /** Records one person's press of a gate's button; the gate opens atomically on the last approval needed. */
  approveCanaryGate(key: GateKey, user: string, required: number, at: number): Promise<GateApprovalOutcome>;
  canaryGate(key: GateKey): Promise<CanaryGate | null>;
  /** Forgets ended revisions (of that spec hash, or all of the canary's when null) with their gates; returns how many. */
  endCanaryRevisions(namespace: string, canary: string, appliedSpec: string | null): Promise<number>;
  /** Adds a following thread; false when that thread already follows the canary. */
  addCanaryFollower(follower: CanaryFollower): Promise<boolean>;
  canaryFollowers(): Promise<CanaryFollower[]>;
  /** Remembers what the followers of a canary were last told. */
  markCanaryFollowers(namespace: string, canary: string, context: string, lastSaid: string): Promise<void>;
  removeCanaryFollowers(namespace: string, canary: string, context: string): Promise<number>;
}

/** Counters and histograms; the HTTP adapter exposes them at /metrics. */
export interface Metrics {
  command(name: string): void;
  workflowOutcome(workflow: string, outcome: string): void;
  upstream(service: 'github' | 'kubernetes' | 'slack', operation: string, seconds: number, ok: boolean): void;
  pendingApprovals(count: number): void;
}

export type { AppChange };

/** A Canary as /canary-status reads it: found, or why not (no such Canary, or Flagger's Canary type is not installed). */
export type CanaryLookup = { found: true; canary: CanaryDetail } | { found: false; why: 'missing' | 'no-crd' };

/** A Flagger MetricTemplate (flagger.app/v1beta1): where and what a custom metric queries. */
export interface MetricTemplateSpec {
  providerType: string;
  address: string | null;
  query: string;
}

/**
 * Prometheus's instant query (GET /api/v1/query): the first sample's value, null when the result is empty. Rejects
 * when Prometheus cannot answer within its bound.
 */
export interface MetricsQuery {
  instant(query: string, opts?: { address?: string | null }): Promise<number | null>;
}
