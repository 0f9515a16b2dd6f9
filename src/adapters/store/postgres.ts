// The Store port on PostgreSQL (pg): a bounded pool shared by replicas; every state change one statement or one locked transaction.
import type pg from 'pg';
import type { ApprovalOutcome, Store } from '../../ports.js';
import type { AuditEntry, DeployRequest, Lock, RequestState, Timer } from '../../domain/types.js';
import type { CanaryFollower, CanaryGate, CanaryRevision, GateApprovalOutcome, GateKey } from '../../domain/canaryGates.js';
import { assertTransition } from '../../domain/requestStates.js';
import type { Incident, IncidentGuard, IncidentPatch, IncidentState, NewIncident } from '../../domain/incidents.js';
import type { TimelineEntry } from '../../domain/incidentEvents.js';
import { auditFromRow, lockFromRow, patchColumns, requestFromRow, requestToRow, timerFromRow, type AuditRow, type LockRow, type RequestPatch, type RequestRow, type TimerRow } from './rows.js';
import { CLAIM_DUE_SQL, FINISH_TIMER_SQL, RELEASE_LEASE_SQL, TAKE_LEASE_SQL, TIMER_CLAIM_LEASE_MS, postgresParam } from './leases.js';
import { createPool, inTransaction, migratePostgres, placeholders, type PoolOptions, type Queryable } from './postgresPool.js';
import { PostgresCanaryTables } from './postgresCanary.js';
import { PostgresIncidents } from './postgresIncidents.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Old seen ids are deleted at most this often (per store instance). */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/** A request row with its approvals (user ids in the order given) gathered by the same query. */
type RequestWithApprovals = RequestRow & { approval_list: string[] };
const WITH_APPROVALS = `COALESCE((SELECT json_agg(a.user_id ORDER BY a.ordinal) FROM approvals a WHERE a.request_id = r.id), '[]'::json) AS approval_list`;
const fromRow = (row: RequestWithApprovals): DeployRequest => requestFromRow(row, row.approval_list);

export class PostgresStore implements Store {
  private lastPruneAt = Number.NEGATIVE_INFINITY;
  private readonly canary: PostgresCanaryTables;
  private readonly incidents: PostgresIncidents;

  private constructor(private readonly pool: pg.Pool) {
    this.canary = new PostgresCanaryTables(pool);
    this.incidents = new PostgresIncidents(pool);
  }

  /** Connects (the pool opens connections on demand, at most `max`) and brings the schema up to date. */
  static async open(url: string, opts: PoolOptions = {}): Promise<PostgresStore> {
    const pool = createPool(url, opts);
    try {
      await migratePostgres(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStore(pool);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  async createRequest(request: DeployRequest): Promise<void> {
    const row = requestToRow(request);
    const columns = Object.keys(row);
    await inTransaction(this.pool, async (c) => {
      await c.query(`INSERT INTO requests (${columns.join(', ')}) VALUES (${placeholders(columns.length)})`, Object.values(row));
      for (const [i, user] of request.approvals.entries()) {
        await c.query('INSERT INTO approvals (request_id, user_id, at, ordinal) VALUES ($1, $2, $3, $4)', [request.id, user, request.createdAt, i + 1]);
      }
    });
  }

  async getRequest(id: string): Promise<DeployRequest | null> {
    return this.readRequest(this.pool, id);
  }

  /** One conditional UPDATE: PostgreSQL re-checks `state` after a concurrent writer commits, so one caller wins. */
  async transition(id: string, from: RequestState, to: RequestState, patch: RequestPatch = {}, at?: number): Promise<DeployRequest | null> {
    assertTransition(from, to);
    const sets: Array<[string, unknown]> = [['state', to], ...patchColumns(patch, at)];
    return this.updateRequest(sets, 'id = $1 AND state = $2', [id, from]);
  }

  async patchRequest(id: string, patch: RequestPatch, at: number): Promise<DeployRequest | null> {
    return this.updateRequest(patchColumns(patch, at), 'id = $1', [id]);
  }

  /** SELECT ... FOR UPDATE serialises approvers of one request; the decision is taken on what the lock holder sees. */
  async approve(id: string, user: string, at: number): Promise<ApprovalOutcome | null> {
    return inTransaction(this.pool, async (c): Promise<ApprovalOutcome | null> => {
      const locked = await c.query<RequestRow>('SELECT * FROM requests WHERE id = $1 FOR UPDATE', [id]);
      const row = locked.rows[0];
      if (!row) return null;
      // Read after the lock, in a statement of its own: it sees every approval committed before the lock was granted.
      const given = await c.query<{ user_id: string }>('SELECT user_id FROM approvals WHERE request_id = $1 ORDER BY ordinal', [id]);
      const request = requestFromRow(row, given.rows.map((a) => a.user_id));
      if (request.state !== 'pending') return { kind: 'not-pending', request };
      if (request.expiresAt !== null && at >= request.expiresAt) return { kind: 'expired', request };
      const added = await c.query(
        `INSERT INTO approvals (request_id, user_id, at, ordinal)
         SELECT $1, $2, $3, COALESCE(MAX(ordinal), 0) + 1 FROM approvals WHERE request_id = $1
         ON CONFLICT (request_id, user_id) DO NOTHING`,
        [id, user, at],
      );
      if (added.rowCount === 0) return { kind: 'duplicate', request };
      const approvals = [...request.approvals, user];
      const last = approvals.length >= request.required;
      const updated = await c.query<RequestRow>(`UPDATE requests SET state = $1, updated_at = $2 WHERE id = $3 RETURNING *`, [last ? 'approved' : 'pending', at, id]);
      return { kind: last ? 'approved' : 'recorded', request: requestFromRow(updated.rows[0]!, approvals) };
    });
  }

  async listRequests(states: RequestState[]): Promise<DeployRequest[]> {
    if (states.length === 0) return [];
    const { rows } = await this.pool.query<RequestWithApprovals>(`SELECT r.*, ${WITH_APPROVALS} FROM requests r WHERE r.state = ANY($1) ORDER BY r.created_at, r.id`, [states]);
    return rows.map(fromRow);
  }

  async recentRequests(env: string | null, limit: number): Promise<DeployRequest[]> {
    const where = env === null ? '' : 'WHERE r.env = $2';
    const { rows } = await this.pool.query<RequestWithApprovals>(
      `SELECT r.*, ${WITH_APPROVALS} FROM requests r ${where} ORDER BY r.created_at DESC, r.id DESC LIMIT $1`,
      env === null ? [limit] : [limit, env],
    );
    return rows.map(fromRow);
  }

  async putLock(lock: Lock): Promise<void> {
    await this.pool.query(
      `INSERT INTO locks (env, owner, reason, since, until) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (env) DO UPDATE SET owner = excluded.owner, reason = excluded.reason, since = excluded.since, until = excluded.until`,
      [lock.env, lock.owner, lock.reason, lock.since, lock.until],
    );
  }

  async removeLock(env: string): Promise<Lock | null> {
    const { rows } = await this.pool.query<LockRow>('DELETE FROM locks WHERE env = $1 RETURNING *', [env]);
    return rows[0] ? lockFromRow(rows[0]) : null;
  }

  async listLocks(): Promise<Lock[]> {
    return (await this.pool.query<LockRow>('SELECT * FROM locks ORDER BY env')).rows.map(lockFromRow);
  }

  async audit(entry: AuditEntry): Promise<void> {
    await this.pool.query('INSERT INTO audit (at, run_id, actor, action, detail) VALUES ($1, $2, $3, $4, $5)', [entry.at, entry.runId, entry.actor, entry.action, JSON.stringify(entry.detail)]);
  }

  async auditOf(runId: string): Promise<AuditEntry[]> {
    return (await this.pool.query<AuditRow>('SELECT at, run_id, actor, action, detail FROM audit WHERE run_id = $1 ORDER BY id', [runId])).rows.map(auditFromRow);
  }

  async schedule(kind: string, key: string, dueAt: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO timers (kind, key, due_at, claimed_at) VALUES ($1, $2, $3, NULL)
       ON CONFLICT (kind, key) DO UPDATE SET due_at = excluded.due_at, claimed_at = NULL`,
      [kind, key, dueAt],
    );
  }

  async cancel(kind: string, key: string): Promise<void> {
    await this.pool.query('DELETE FROM timers WHERE kind = $1 AND key = $2', [kind, key]);
  }

  /** FOR UPDATE SKIP LOCKED: concurrent claimers pass over each other's rows instead of claiming them twice. */
  async claimDue(now: number, limit: number, leaseMs: number = TIMER_CLAIM_LEASE_MS): Promise<Timer[]> {
    const { rows } = await this.pool.query<TimerRow>(CLAIM_DUE_SQL(postgresParam, true), [now, now, now - leaseMs, limit]);
    return rows.map(timerFromRow).sort((a, b) => a.dueAt - b.dueAt || a.id - b.id);
  }

  async finishTimer(timer: Timer): Promise<void> {
    await this.pool.query(FINISH_TIMER_SQL(postgresParam), [timer.id, timer.dueAt]);
  }

  async takeLease(name: string, owner: string, now: number, ttlMs: number): Promise<boolean> {
    return ((await this.pool.query(TAKE_LEASE_SQL(postgresParam), [name, owner, now + ttlMs, now, now])).rowCount ?? 0) > 0;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    await this.pool.query(RELEASE_LEASE_SQL(postgresParam), [name, owner]);
  }

  async firstSeen(id: string, at: number): Promise<boolean> {
    await this.pruneNowAndThen(at);
    return (await this.pool.query('INSERT INTO seen_ids (id, at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING', [id, at])).rowCount === 1;
  }

  // Canary gates and followers live in ./postgresCanary.ts, incidents in ./postgresIncidents.ts.
  noteCanaryRevision = (revision: CanaryRevision): Promise<{ isNew: boolean; needsSpec: boolean }> => this.canary.noteRevision(revision);
  canaryChecksumOf = (namespace: string, canary: string, appliedSpec: string): Promise<string | null> => this.canary.checksumOf(namespace, canary, appliedSpec);
  approveCanaryGate = (key: GateKey, user: string, required: number, at: number): Promise<GateApprovalOutcome> => this.canary.approve(key, user, required, at);
  canaryGate = (key: GateKey): Promise<CanaryGate | null> => this.canary.gate(key);
  endCanaryRevisions = (namespace: string, canary: string, appliedSpec: string | null): Promise<number> => this.canary.endRevisions(namespace, canary, appliedSpec);
  addCanaryFollower = (follower: CanaryFollower): Promise<boolean> => this.canary.addFollower(follower);
  canaryFollowers = (): Promise<CanaryFollower[]> => this.canary.followers();
  markCanaryFollowers = (namespace: string, canary: string, context: string, lastSaid: string): Promise<void> => this.canary.markFollowers(namespace, canary, context, lastSaid);
  removeCanaryFollowers = (namespace: string, canary: string, context: string): Promise<number> => this.canary.removeFollowers(namespace, canary, context);

  createIncident = (input: NewIncident): Promise<Incident> => this.incidents.createIncident(input);
  getIncident = (number: number): Promise<Incident | null> => this.incidents.getIncident(number);
  incidentInChannel = (channel: string): Promise<Incident | null> => this.incidents.incidentInChannel(channel);
  listIncidents = (states: IncidentState[]): Promise<Incident[]> => this.incidents.listIncidents(states);
  updateIncident = (number: number, guard: IncidentGuard, patch: IncidentPatch, at: number): Promise<Incident | null> => this.incidents.updateIncident(number, guard, patch, at);
  addTimeline = (number: number, entry: TimelineEntry): Promise<void> => this.incidents.addTimeline(number, entry);
  timelineOf = (number: number): Promise<TimelineEntry[]> => this.incidents.timelineOf(number);

  private async pruneNowAndThen(now: number): Promise<void> {
    if (now - this.lastPruneAt < PRUNE_EVERY_MS) return;
    this.lastPruneAt = now;
    await this.pool.query('DELETE FROM seen_ids WHERE at < $1', [now - DAY_MS]);
  }

  /** UPDATE ... RETURNING with the approvals gathered in the same statement; column names come from rows.ts, never from input. */
  private async updateRequest(sets: Array<[string, unknown]>, where: string, whereParams: unknown[]): Promise<DeployRequest | null> {
    const n = whereParams.length;
    const assignments = sets.map(([column], i) => `${column} = $${i + n + 1}`).join(', ');
    const { rows } = await this.pool.query<RequestWithApprovals>(
      `WITH r AS (UPDATE requests SET ${assignments} WHERE ${where} RETURNING *) SELECT r.*, ${WITH_APPROVALS} FROM r`,
      [...whereParams, ...sets.map(([, v]) => v)],
    );
    return rows[0] ? fromRow(rows[0]) : null;
  }

  private async readRequest(db: Queryable, id: string): Promise<DeployRequest | null> {
    const { rows } = await db.query<RequestWithApprovals>(`SELECT r.*, ${WITH_APPROVALS} FROM requests r WHERE r.id = $1`, [id]);
    return rows[0] ? fromRow(rows[0]) : null;
  }
}
