// The records Flightdeck keeps and passes between workflows, store and chat: plain data, no behaviour.
import type { Problem } from './problems.js';

/** Life of a deploy or rollback request; allowed moves are in requestStates.ts. */
export type RequestState =
  | 'pending' // waiting for approvals
  | 'approved' // enough approvals; the commit is next
  | 'committed' // the overlay change is in git
  | 'syncing' // Argo CD is applying it
  | 'analysing' // Flagger's canary analysis of it runs
  | 'aborting' // a rollback asked Flagger to abort the canary analysis instead of writing to git
  | 'succeeded'
  | 'failed'
  | 'rejected'
  | 'expired';

export type RequestKind = 'deploy' | 'rollback';

/** One commit of a compare between the running and the new version. */
export interface CommitSummary {
  sha: string;
  title: string;
  author: string;
}

/** What a request changes for one app. */
export interface AppChange {
  app: string;
  image: string;
  source: string;
  /** image tag the overlay has now (null: not set) */
  from: string | null;
  /** image tag the overlay will have */
  to: string;
  /** commit of the source repository the new version names */
  sha: string;
  /** commits between the two versions, capped; null when there is nothing to compare */
  compare: { total: number; commits: CommitSummary[]; url: string | null } | null;
  /** the required checks that passed on that commit */
  checks: string[];
}

/** How a request ended, as data: the request message and history word it. */
export type RequestOutcome =
  | { result: 'succeeded'; application: string; canary: { name: string; initialised: boolean; aborted?: boolean } | null }
  | { result: 'failed'; problem: Problem }
  | { result: 'rejected'; withdrawn: boolean }
  | { result: 'expired' }
  /** rows written before outcomes were data */
  | { result: 'note'; text: string };

/** The overlay file as the request read it: the commit is written on it, so a change since then is a conflict. */
export interface OverlayBase {
  path: string;
  sha: string;
  content: string;
}

export interface DeployRequest {
  /** run id: appears in logs, audit entries and the Slack thread */
  id: string;
  kind: RequestKind;
  env: string;
  version: string;
  changes: AppChange[];
  requester: string;
  /** Slack channel of the request message, and its ts once posted */
  channel: string;
  messageTs: string | null;
  state: RequestState;
  required: number;
  approvals: string[];
  rejectedBy: string | null;
  createdAt: number;
  expiresAt: number | null;
  commitSha: string | null;
  /**
   * The Flagger Canary's lastAppliedSpec read just before the commit, when the environment's canary targets one of the
   * apps changed ('' if Flagger had not reconciled it yet): its analysis of this revision is the one with another hash.
   * null: no canary to follow.
   */
  canaryBaseline: string | null;
  /** how it ended (null while it runs) */
  outcome: RequestOutcome | null;
  /** the overlay as read when the request was checked (null for requests stored before it was kept) */
  overlayBase: OverlayBase | null;
  updatedAt: number;
}

export interface Lock {
  /** environment name, or "*" for all */
  env: string;
  owner: string;
  reason: string;
  since: number;
  until: number | null;
}

export interface AuditEntry {
  at: number;
  runId: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

export interface Timer {
  id: number;
  kind: string;
  key: string;
  dueAt: number;
}

/** One environment's row of `/deploy status`: desired versions from git, live state from Argo CD. */
export interface EnvironmentStatus {
  env: string;
  lock: Lock | null;
  /** name of the freeze window in force, or null */
  frozenBy: string | null;
  /** sync/health of the environment's Argo CD Application; null when it could not be read */
  live: { syncStatus: string; health: string; revision: string | null; operationPhase: string | null } | null;
  apps: Array<{ app: string; desired: string | null }>;
  /** requests waiting for approval, with a link to each */
  waiting: Array<{ id: string; kind: RequestKind; version: string; requester: string; approvals: number; required: number; expiresAt: number | null; link: string | null }>;
}
