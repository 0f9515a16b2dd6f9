// Why Flightdeck refused or stopped something, as data: a code and its parameters. The edge words it for its audience.
import type { CanaryProblemOnly } from './canaryProblems.js';
import type { IncidentProblem } from './incidentEvents.js';
import type { Lock } from './types.js';

/** A set of people as configured (users and groups), shown when saying who may do something. */
export interface AudienceRef {
  users: string[];
  groups: string[];
}

/** Which `/deploy` usage hint a malformed command gets. */
export type UsageHint =
  | { hint: 'status-args'; got: string }
  | { hint: 'unlock-args' }
  | { hint: 'lock-target' }
  | { hint: 'bad-duration'; text: string; max?: string }
  | { hint: 'environment-first'; suggestion: string }
  | { hint: 'which-version'; env: string }
  | { hint: 'rollback-env' };

/**
 * Every refusal and failure reason Flightdeck gives a person. Parameters are raw (never escaped); where text comes
 * from outside (YAML, Argo CD, Flagger), it is a parameter too, so each audience escapes it exactly once.
 */
export type Problem = CoreProblem | IncidentProblem | CanaryProblemOnly;

/** The refusals and failures of deploys, rollbacks and locks. */
export type CoreProblem =
  // parsing and input
  | { code: 'usage'; command: string; detail: UsageHint }
  | { code: 'unknown-environment'; given: string; known: string[] }
  | { code: 'unknown-apps'; given: string[]; known: string[] }
  | { code: 'bad-tag'; version: string }
  | { code: 'not-a-commit'; version: string; app: string; source: string; example: string }
  | { code: 'not-semver'; version: string; env: string; app?: string }
  // who and when
  | { code: 'not-deployer'; env: string; deployers: AudienceRef | null }
  | { code: 'locked'; env: string; lock: Lock; then: 'nothing-deployed' | 'approval-not-recorded' }
  | { code: 'frozen'; env: string; freeze: string; endsAt: number | null; then: 'nothing-deployed' | 'approval-not-recorded' }
  | { code: 'not-locked'; env: string }
  | { code: 'held-by-all'; env: string; lock: Lock }
  | { code: 'lock-held'; env: string; lock: Lock }
  | { code: 'pull-request-mode' }
  // what the repositories say
  | { code: 'no-overlay'; env: string; repo: string; folder: string }
  | { code: 'overlay-invalid'; file: string; detail: string }
  | { code: 'overlay-no-image'; file: string; image: string }
  | { code: 'overlay-digest'; file: string; image: string; digest: string }
  | { code: 'overlay-unsupported-tag'; value: string; token: string }
  | { code: 'apps-not-in-overlay'; env: string; overlay: string; apps: string[]; images: string[] }
  | { code: 'no-apps-in-overlay'; env: string; overlay: string }
  /** `retry`: the request that committed it failed at its sync and may be retried */
  | { code: 'already-running'; env: string; version: string; apps: string[]; retry?: { runId: string; link: string | null } }
  | { code: 'not-promoted-yet'; version: string; previous: string; running: Array<{ app: string; tag: string | null }> }
  | { code: 'version-not-found'; app: string; source: string; ref: string; kind: 'tag' | 'commit' }
  | { code: 'checks-not-passed'; app: string; version: string; sha: string; checks: Array<{ name: string; state: 'failure' | 'pending' | 'missing' }> }
  // requests and buttons
  | { code: 'not-approver'; env: string; kind: 'deploy' | 'rollback'; action: 'approve' | 'reject' }
  | { code: 'own-request'; kind: 'deploy' | 'rollback' }
  | { code: 'already-approved' }
  | { code: 'request-gone' }
  | { code: 'request-decided'; state: string }
  | { code: 'request-expired' }
  | { code: 'already-requested'; env: string; version: string; runId: string; state: string; link: string | null }
  | { code: 'overtaken'; env: string; by: string; version: string }
  | { code: 'environment-gone'; env: string }
  | { code: 'cannot-post'; reason: string }
  /** an upstream kept failing (5xx, no answer) beyond its retries; `write`: the failed call was a change, which may have been applied */
  | { code: 'upstream-failing'; service: 'GitHub'; status: number; detail: string; write: boolean }
  /** an upstream asked Flightdeck to wait longer than a command may (a rate limit); `retryAfterS` null when it did not say */
  | { code: 'upstream-limited'; service: 'GitHub' | 'Slack'; retryAfterS: number | null }
  // retrying a sync that failed after its commit (the Retry sync button)
  /** the request is not a failed delivery (`state`), or failed for a reason another sync does not cure (`failedWith`) */
  | { code: 'not-retryable'; state: string; failedWith: string | null }
  /** the overlay has a newer commit than the request's: syncing the request's commit would apply an older state */
  | { code: 'overlay-moved-on'; env: string; application: string; commitSha: string; newest: string | null }
  /** another request's delivery to the environment is under way */
  | { code: 'env-busy'; env: string; runId: string; version: string; link: string | null }
  // delivery
  | { code: 'env-moved'; env: string; running: Array<{ app: string; tag: string | null }> }
  // rollbacks
  | { code: 'nothing-to-roll-back'; env: string; apps: string[] }
  | { code: 'never-ran'; env: string; app: string; version: string; ran: string[] }
  | { code: 'canary-abort-timeout'; canary: string; afterMs: number }
  | { code: 'canary-promoted-first'; canary: string; env: string }
  | { code: 'argo-kept-busy'; application: string }
  /** the Kubernetes API did not answer until the sync's deadline: before the sync was asked for, or while following it */
  | { code: 'cluster-unreachable'; application: string; detail: string; afterMs: number; stage: 'request' | 'follow' }
  | { code: 'sync-failed'; application: string; phase: string; message: string | null }
  | { code: 'unhealthy'; application: string; health: string }
  | { code: 'sync-timeout'; application: string; revision: string; afterMs: number; lastSeen: string | null }
  | { code: 'canary-failed'; canary: string; failedChecks: number; message: string | null; version: string; env: string; commitSha: string }
  | { code: 'canary-deleted'; canary: string }
  | { code: 'canary-lost'; canary: string; namespace: string; env: string; detail: string }
  | { code: 'canary-timeout'; canary: string; afterMs: number; lastSeen: string | null }
  | { code: 'interrupted' }
  | { code: 'internal'; reference: string }
  /** the store (database) does not answer: nothing can be recorded, so nothing is done */
  | { code: 'store-unavailable' };

export type ProblemCode = Problem['code'];

/** A problem the person can fix, carried as data; `message` is a plain wording for logs only. */
export class UserError extends Error {
  override readonly name = 'UserError';

  constructor(readonly problem: Problem) {
    super(`refused: ${problem.code}`);
  }
}
