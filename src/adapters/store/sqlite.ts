// The Store port on SQLite (better-sqlite3): WAL, migrations at open, every state change one transaction.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { ApprovalOutcome, Store } from '../../ports.js';
import type { AuditEntry, DeployRequest, Lock, RequestState, Timer } from '../../domain/types.js';
import { SCHEMA_MIGRATIONS_SQL, migrationSql, migrations } from './migrations.js';
import { SqliteCanaryTables } from './canaryTables.js';
import type { CanaryFollower, CanaryGate, CanaryRevision, GateApprovalOutcome, GateKey } from '../../domain/canaryGates.js';
import { assertTransition } from '../../domain/requestStates.js';
import type { Incident, IncidentGuard, IncidentPatch, IncidentState, NewIncident } from '../../domain/incidents.js';
import type { TimelineEntry } from '../../domain/incidentEvents.js';
import { SqliteIncidents } from './incidents.js';
import { CLAIM_DUE_SQL, FINISH_TIMER_SQL, RELEASE_LEASE_SQL, TAKE_LEASE_SQL, TIMER_CLAIM_LEASE_MS, sqliteParam } from './leases.js';
import { statementCache } from './statements.js';
import {
  auditFromRow,
  lockFromRow,
  patchColumns,
  requestFromRow,
  requestToRow,
  timerFromRow,
  type AuditRow,
  type LockRow,
  type RequestPatch,
  type RequestRow,
  type TimerRow,
} from './rows.js';

/** How long a writer waits for another connection's write lock before failing. */
const BUSY_TIMEOUT_MS = 5_000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Old seen ids are deleted at most this often (per store instance). */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

type Db = Database.Database;

export class SqliteStore implements Store {
  private lastPruneAt = Number.NEGATIVE_INFINITY;
  private canaryTables: SqliteCanaryTables | undefined;

  /** Prepared statements cached by their text. */
  private readonly sql: (text: string) => Database.Statement;

  private constructor(private readonly db: Db) {
    this.sql = statementCache(db);
  }

  private incidentRows: SqliteIncidents | null = null;

  /** Incident records live in ./incidents.ts; these delegate to it. */
  private get incidents(): SqliteIncidents {
    return (this.incidentRows ??= new SqliteIncidents(this.db));
  }
  createIncident = (input: NewIncident): Promise<Incident> => this.incidents.createIncident(input);
  getIncident = (number: number): Promise<Incident | null> => this.incidents.getIncident(number);
  incidentInChannel = (channel: string): Promise<Incident | null> => this.incidents.incidentInChannel(channel);
  listIncidents = (states: IncidentState[]): Promise<Incident[]> => this.incidents.listIncidents(states);
  updateIncident = (number: number, guard: IncidentGuard, patch: IncidentPatch, at: number): Promise<Incident | null> => this.incidents.updateIncident(number, guard, patch, at);
  addTimeline = (number: number, entry: TimelineEntry): Promise<void> => this.incidents.addTimeline(number, entry);
  timelineOf = (number: number): Promise<TimelineEntry[]> => this.incidents.timelineOf(number);

  /**
   * Opens (creating when needed) the database file and brings its schema up to date; ':memory:' for a private one.
   * `onQuery` hears the text of every statement run, BEGIN and COMMIT too (bench/replicas.ts counts them).
   */
  static open(path: string, opts: { onQuery?: (sql: string) => void } = {}): SqliteStore {
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    const onQuery = opts.onQuery;
    const db = new Database(path, { timeout: BUSY_TIMEOUT_MS, ...(onQuery ? { verbose: (sql: unknown) => onQuery(String(sql)) } : {}) });
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } catch (err) {
      db.close();
      throw err;
    }
    return new SqliteStore(db);
  }

  async ping(): Promise<void> {
    this.sql('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  async createRequest(request: DeployRequest): Promise<void> {
    const row = requestToRow(request);
    const columns = Object.keys(row);
    const insert = this.sql(`INSERT INTO requests (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`);
    const addApproval = this.sql('INSERT INTO approvals (request_id, user_id, at, ordinal) VALUES (?, ?, ?, ?)');
    this.db
      .transaction(() => {
        insert.run(row);
        request.approvals.forEach((user, i) => addApproval.run(request.id, user, request.createdAt, i + 1));
      })
      .immediate();
  }

  async getRequest(id: string): Promise<DeployRequest | null> {
    return this.db.transaction(() => this.readRequest(id))();
  }

  async transition(id: string, from: RequestState, to: RequestState, patch: RequestPatch = {}, at?: number): Promise<DeployRequest | null> {
    assertTransition(from, to);
    const sets: Array<[string, unknown]> = [['state', to], ...patchColumns(patch, at)];
    const update = this.sql(`UPDATE requests SET ${sets.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ? AND state = ? RETURNING *`);
    return this.db
      .transaction(() => {
        const row = update.get(...sets.map(([, v]) => v), id, from) as RequestRow | undefined;
        return row ? requestFromRow(row, this.approvalsOf(id)) : null;
      })
      .immediate();
  }

  async patchRequest(id: string, patch: RequestPatch, at: number): Promise<DeployRequest | null> {
    const sets = patchColumns(patch, at);
    const update = this.sql(`UPDATE requests SET ${sets.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ? RETURNING *`);
    return this.db
      .transaction(() => {
        const row = update.get(...sets.map(([, v]) => v), id) as RequestRow | undefined;
        return row ? requestFromRow(row, this.approvalsOf(id)) : null;
      })
      .immediate();
  }

  /** One IMMEDIATE transaction holds the write lock from the first read, so concurrent approvers are serialised. */
  async approve(id: string, user: string, at: number): Promise<ApprovalOutcome | null> {
    const addApproval = this.sql(
      `INSERT INTO approvals (request_id, user_id, at, ordinal)
       SELECT ?, ?, ?, COALESCE(MAX(ordinal), 0) + 1 FROM approvals WHERE request_id = ?
       ON CONFLICT (request_id, user_id) DO NOTHING`,
    );
    const touch = this.sql('UPDATE requests SET updated_at = ? WHERE id = ? AND state = ? RETURNING *');
    const approveIt = this.sql("UPDATE requests SET state = 'approved', updated_at = ? WHERE id = ? AND state = 'pending' RETURNING *");
    return this.db
      .transaction((): ApprovalOutcome | null => {
        const request = this.readRequest(id);
        if (!request) return null;
        if (request.state !== 'pending') return { kind: 'not-pending', request };
        if (request.expiresAt !== null && at >= request.expiresAt) return { kind: 'expired', request };
        if (addApproval.run(id, user, at, id).changes === 0) return { kind: 'duplicate', request };
        const approvals = this.approvalsOf(id);
        if (approvals.length >= request.required) {
          const row = approveIt.get(at, id) as RequestRow;
          return { kind: 'approved', request: requestFromRow(row, approvals) };
        }
        const row = touch.get(at, id, 'pending') as RequestRow;
        return { kind: 'recorded', request: requestFromRow(row, approvals) };
      })
      .immediate();
  }

  async listRequests(states: RequestState[]): Promise<DeployRequest[]> {
    if (states.length === 0) return [];
    const inStates = `state IN (${states.map(() => '?').join(', ')})`;
    const selectRequests = this.sql(`SELECT * FROM requests WHERE ${inStates} ORDER BY created_at, id`);
    const selectApprovals = this.sql(
      `SELECT request_id, user_id FROM approvals WHERE request_id IN (SELECT id FROM requests WHERE ${inStates}) ORDER BY request_id, ordinal`,
    );
    return this.db.transaction(() => {
      const approvals = new Map<string, string[]>();
      for (const a of selectApprovals.all(...states) as Array<{ request_id: string; user_id: string }>) {
        const list = approvals.get(a.request_id) ?? [];
        list.push(a.user_id);
        approvals.set(a.request_id, list);
      }
      return (selectRequests.all(...states) as RequestRow[]).map((row) => requestFromRow(row, approvals.get(row.id) ?? []));
    })();
  }

  async recentRequests(env: string | null, limit: number): Promise<DeployRequest[]> {
    const where = env === null ? '' : 'WHERE env = ?';
    const select = this.sql(`SELECT id FROM requests ${where} ORDER BY created_at DESC, id DESC LIMIT ?`);
    return this.db.transaction(() => {
      const ids = (env === null ? select.all(limit) : select.all(env, limit)) as Array<{ id: string }>;
      return ids.map((row) => this.readRequest(row.id)).filter((r): r is DeployRequest => r !== null);
    })();
  }

  async putLock(lock: Lock): Promise<void> {
    this.sql(
      `INSERT INTO locks (env, owner, reason, since, until) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (env) DO UPDATE SET owner = excluded.owner, reason = excluded.reason, since = excluded.since, until = excluded.until`,
    ).run(lock.env, lock.owner, lock.reason, lock.since, lock.until);
  }

  async removeLock(env: string): Promise<Lock | null> {
    const row = this.sql('DELETE FROM locks WHERE env = ? RETURNING *').get(env) as LockRow | undefined;
    return row ? lockFromRow(row) : null;
  }

  async listLocks(): Promise<Lock[]> {
    return (this.sql('SELECT * FROM locks ORDER BY env').all() as LockRow[]).map(lockFromRow);
  }

  async audit(entry: AuditEntry): Promise<void> {
    this.sql('INSERT INTO audit (at, run_id, actor, action, detail) VALUES (?, ?, ?, ?, ?)').run(
      entry.at,
      entry.runId,
      entry.actor,
      entry.action,
      JSON.stringify(entry.detail),
    );
  }

  async auditOf(runId: string): Promise<AuditEntry[]> {
    return (this.sql('SELECT at, run_id, actor, action, detail FROM audit WHERE run_id = ? ORDER BY id').all(runId) as AuditRow[]).map(auditFromRow);
  }

  async schedule(kind: string, key: string, dueAt: number): Promise<void> {
    this.sql(
      `INSERT INTO timers (kind, key, due_at, claimed_at) VALUES (?, ?, ?, NULL)
       ON CONFLICT (kind, key) DO UPDATE SET due_at = excluded.due_at, claimed_at = NULL`,
    ).run(kind, key, dueAt);
  }

  async cancel(kind: string, key: string): Promise<void> {
    this.sql('DELETE FROM timers WHERE kind = ? AND key = ?').run(kind, key);
  }

  /** One UPDATE statement: SQLite runs it under the write lock, so no two connections claim the same row. */
  async claimDue(now: number, limit: number, leaseMs: number = TIMER_CLAIM_LEASE_MS): Promise<Timer[]> {
    const rows = this.sql(CLAIM_DUE_SQL(sqliteParam, false)).all(now, now, now - leaseMs, limit) as TimerRow[];
    return rows.map(timerFromRow).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
  }

  async finishTimer(timer: Timer): Promise<void> {
    this.sql(FINISH_TIMER_SQL(sqliteParam)).run(timer.id, timer.dueAt);
  }

  async takeLease(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    return this.sql(TAKE_LEASE_SQL(sqliteParam)).get(name, owner, now + ttlMs, now, now) !== undefined;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    this.sql(RELEASE_LEASE_SQL(sqliteParam)).run(name, owner);
  }

  async firstSeen(id: string, at: number): Promise<boolean> {
    this.pruneNowAndThen(at);
    return this.sql('INSERT INTO seen_ids (id, at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING').run(id, at).changes === 1;
  }

  // Canary gates and followers live in ./canaryTables.ts.
  noteCanaryRevision = async (revision: CanaryRevision): Promise<{ isNew: boolean; needsSpec: boolean }> => this.canary.noteRevision(revision);
  canaryChecksumOf = async (namespace: string, canary: string, appliedSpec: string): Promise<string | null> => this.canary.checksumOf(namespace, canary, appliedSpec);
  approveCanaryGate = async (key: GateKey, user: string, required: number, at: number): Promise<GateApprovalOutcome> => this.canary.approve(key, user, required, at);
  canaryGate = async (key: GateKey): Promise<CanaryGate | null> => this.canary.gate(key);
  endCanaryRevisions = async (namespace: string, canary: string, appliedSpec: string | null): Promise<number> => this.canary.endRevisions(namespace, canary, appliedSpec);
  addCanaryFollower = async (follower: CanaryFollower): Promise<boolean> => this.canary.addFollower(follower);
  canaryFollowers = async (): Promise<CanaryFollower[]> => this.canary.followers();
  markCanaryFollowers = async (namespace: string, canary: string, context: string, lastSaid: string): Promise<void> => this.canary.markFollowers(namespace, canary, context, lastSaid);
  removeCanaryFollowers = async (namespace: string, canary: string, context: string): Promise<number> => this.canary.removeFollowers(namespace, canary, context);

  /** The canary tables (canaryTables.ts), made on first use. */
  private get canary(): SqliteCanaryTables {
    this.canaryTables ??= new SqliteCanaryTables(this.db);
    return this.canaryTables;
  }

  private pruneNowAndThen(now: number): void {
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    this.sql('DELETE FROM seen_ids WHERE at < ?').run(now - DAY_MS);
  }

  private readRequest(id: string): DeployRequest | null {
    const row = this.sql('SELECT * FROM requests WHERE id = ?').get(id) as RequestRow | undefined;
    return row ? requestFromRow(row, this.approvalsOf(id)) : null;
  }

  private approvalsOf(id: string): string[] {
    return this.sql('SELECT user_id FROM approvals WHERE request_id = ? ORDER BY ordinal').pluck().all(id) as string[];
  }

}

/** Applies the migrations this database lacks, all in one IMMEDIATE transaction so concurrent opens do not race. */
function migrate(db: Db): void {
  db.exec(SCHEMA_MIGRATIONS_SQL);
  db.transaction(() => {
    const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    const newest = migrations.at(-1)?.version ?? 0;
    const unknown = [...applied].filter((v) => v > newest);
    if (unknown.length > 0) throw new Error(`store schema is at version ${Math.max(...unknown)}, newer than this release knows (${newest}); run a newer release`);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      db.exec(migrationSql(migration, 'sqlite'));
      record.run(migration.version, migration.name, Date.now());
    }
  }).immediate();
}
