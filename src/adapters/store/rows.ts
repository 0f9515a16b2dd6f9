// Maps domain records to and from the store's table rows; shared by the SQL backends.
import type { AuditEntry, DeployRequest, Lock, OverlayBase, RequestKind, RequestOutcome, RequestState, Timer } from '../../domain/types.js';

export type RequestPatch = Partial<Omit<DeployRequest, 'id' | 'state'>>;

/** A row of `requests`. Numbers may arrive as strings (PostgreSQL BIGINT), hence `number | string`. */
export interface RequestRow {
  id: string;
  kind: string;
  env: string;
  version: string;
  changes: string;
  requester: string;
  channel: string;
  message_ts: string | null;
  state: string;
  required: number | string;
  rejected_by: string | null;
  created_at: number | string;
  expires_at: number | string | null;
  commit_sha: string | null;
  canary_baseline: string | null;
  outcome: string | null;
  overlay_base: string | null;
  updated_at: number | string;
}

/** Request fields stored in a column of their own; `approvals` lives in its own table. */
const COLUMN_OF = {
  kind: 'kind',
  env: 'env',
  version: 'version',
  changes: 'changes',
  requester: 'requester',
  channel: 'channel',
  messageTs: 'message_ts',
  required: 'required',
  rejectedBy: 'rejected_by',
  createdAt: 'created_at',
  expiresAt: 'expires_at',
  commitSha: 'commit_sha',
  canaryBaseline: 'canary_baseline',
  outcome: 'outcome',
  overlayBase: 'overlay_base',
  updatedAt: 'updated_at',
} as const satisfies Record<Exclude<keyof RequestPatch, 'approvals'>, string>;

type ColumnValue = string | number | null;

const numberOrNull = (value: number | string | null): number | null => (value === null ? null : Number(value));

export function requestFromRow(row: RequestRow, approvals: string[]): DeployRequest {
  return {
    id: row.id,
    kind: row.kind as RequestKind,
    env: row.env,
    version: row.version,
    changes: JSON.parse(row.changes) as DeployRequest['changes'],
    requester: row.requester,
    channel: row.channel,
    messageTs: row.message_ts,
    state: row.state as RequestState,
    required: Number(row.required),
    approvals,
    rejectedBy: row.rejected_by,
    createdAt: Number(row.created_at),
    expiresAt: numberOrNull(row.expires_at),
    commitSha: row.commit_sha,
    canaryBaseline: row.canary_baseline,
    outcome: outcomeFromColumn(row.outcome),
    overlayBase: row.overlay_base === null ? null : (JSON.parse(row.overlay_base) as OverlayBase),
    updatedAt: Number(row.updated_at),
  };
}

export function requestToRow(request: DeployRequest): RequestRow {
  return {
    id: request.id,
    kind: request.kind,
    env: request.env,
    version: request.version,
    changes: JSON.stringify(request.changes),
    requester: request.requester,
    channel: request.channel,
    message_ts: request.messageTs,
    state: request.state,
    required: request.required,
    rejected_by: request.rejectedBy,
    created_at: request.createdAt,
    expires_at: request.expiresAt,
    commit_sha: request.commitSha,
    canary_baseline: request.canaryBaseline,
    outcome: request.outcome === null ? null : JSON.stringify(request.outcome),
    overlay_base: request.overlayBase === null ? null : JSON.stringify(request.overlayBase),
    updated_at: request.updatedAt,
  };
}

/**
 * The columns a patch sets, as [column, value] pairs; `at` (when given) becomes updated_at.
 * Approvals are not a column: a patch naming them is a bug, so it throws rather than drop them.
 */
export function patchColumns(patch: RequestPatch, at: number | undefined): Array<[string, ColumnValue]> {
  if (patch.approvals !== undefined) throw new Error('request patch: approvals change only through approve()');
  const pairs: Array<[string, ColumnValue]> = [];
  for (const [field, column] of Object.entries(COLUMN_OF)) {
    const value = patch[field as keyof typeof COLUMN_OF];
    if (value === undefined || (field === 'updatedAt' && at !== undefined)) continue;
    const json = field === 'changes' || ((field === 'outcome' || field === 'overlayBase') && value !== null);
    pairs.push([column, json ? JSON.stringify(value) : (value as ColumnValue)]);
  }
  if (at !== undefined) pairs.push(['updated_at', at]);
  return pairs;
}

/** Outcomes are JSON; a row written before they were is kept as a note. */
function outcomeFromColumn(text: string | null): RequestOutcome | null {
  if (text === null) return null;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && 'result' in parsed) return parsed as RequestOutcome;
  } catch {
    // not JSON: an old free-text outcome
  }
  return { result: 'note', text };
}

export interface LockRow {
  env: string;
  owner: string;
  reason: string;
  since: number | string;
  until: number | string | null;
}

export function lockFromRow(row: LockRow): Lock {
  return { env: row.env, owner: row.owner, reason: row.reason, since: Number(row.since), until: numberOrNull(row.until) };
}

export interface AuditRow {
  at: number | string;
  run_id: string;
  actor: string;
  action: string;
  detail: string;
}

export function auditFromRow(row: AuditRow): AuditEntry {
  return { at: Number(row.at), runId: row.run_id, actor: row.actor, action: row.action, detail: JSON.parse(row.detail) as Record<string, unknown> };
}

export interface TimerRow {
  id: number | string;
  kind: string;
  key: string;
  due_at: number | string;
}

export function timerFromRow(row: TimerRow): Timer {
  return { id: Number(row.id), kind: row.kind, key: row.key, dueAt: Number(row.due_at) };
}
