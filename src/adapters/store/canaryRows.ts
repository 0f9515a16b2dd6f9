// Maps the canary tables' rows to domain records; shared by the SQLite and PostgreSQL backends.
import type { CanaryFollower, CanaryGate, GateKind } from '../../domain/canaryGates.js';

/** A row of `canary_gates`. Numbers may arrive as strings (PostgreSQL BIGINT), hence `number | string`. */
export interface GateRow {
  namespace: string;
  canary: string;
  checksum: string;
  gate: string;
  required: number | string;
  opened_at: number | string | null;
}

export interface FollowerRow {
  namespace: string;
  canary: string;
  context: string;
  env: string;
  channel: string;
  thread_ts: string;
  user_id: string;
  since: number | string;
  last_said: string | null;
}

export function gateFromRow(row: GateRow, approvals: Array<{ user_id: string; at: number | string }>): CanaryGate {
  return {
    namespace: row.namespace,
    canary: row.canary,
    checksum: row.checksum,
    gate: row.gate as GateKind,
    required: Number(row.required),
    open: row.opened_at !== null,
    openedAt: row.opened_at === null ? null : Number(row.opened_at),
    approvals: approvals.map((a) => ({ user: a.user_id, at: Number(a.at) })),
  };
}

export function followerFromRow(r: FollowerRow): CanaryFollower {
  return { namespace: r.namespace, canary: r.canary, context: r.context, env: r.env, channel: r.channel, threadTs: r.thread_ts, user: r.user_id, since: Number(r.since), lastSaid: r.last_said };
}
