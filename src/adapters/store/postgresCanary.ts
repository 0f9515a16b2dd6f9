// The PostgreSQL side of the Store's canary methods: revisions Flagger presented, their gates and approvals, following threads.
import type pg from 'pg';
import type { CanaryFollower, CanaryGate, CanaryRevision, GateApprovalOutcome, GateKey } from '../../domain/canaryGates.js';
import { inTransaction, type Queryable } from './postgresPool.js';
import { followerFromRow, gateFromRow, type FollowerRow, type GateRow } from './canaryRows.js';

export class PostgresCanaryTables {
  constructor(private readonly pool: pg.Pool) {}

  /** One transaction: insert the revision if new (filling a missing spec hash), and forget the canary's other revisions. */
  noteRevision(rev: CanaryRevision): Promise<{ isNew: boolean; needsSpec: boolean }> {
    return inTransaction(this.pool, async (c) => {
      const key = [rev.namespace, rev.canary, rev.checksum];
      const inserted = (await c.query('INSERT INTO canary_revisions (namespace, canary, checksum, applied_spec, first_seen) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [...key, rev.appliedSpec, rev.firstSeen])).rowCount ?? 0;
      if (inserted === 0 && rev.appliedSpec !== null) {
        await c.query('UPDATE canary_revisions SET applied_spec = $4 WHERE namespace = $1 AND canary = $2 AND checksum = $3 AND applied_spec IS NULL', [...key, rev.appliedSpec]);
      }
      // A later checksum supersedes: Flagger analyses one revision of a canary at a time.
      if (inserted === 1) await c.query('DELETE FROM canary_revisions WHERE namespace = $1 AND canary = $2 AND checksum <> $3', key);
      const stored = await c.query<{ applied_spec: string | null }>('SELECT applied_spec FROM canary_revisions WHERE namespace = $1 AND canary = $2 AND checksum = $3', key);
      return { isNew: inserted === 1, needsSpec: (stored.rows[0]?.applied_spec ?? null) === null };
    });
  }

  async checksumOf(namespace: string, canary: string, appliedSpec: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ checksum: string }>(
      'SELECT checksum FROM canary_revisions WHERE namespace = $1 AND canary = $2 AND applied_spec = $3 ORDER BY first_seen DESC LIMIT 1',
      [namespace, canary, appliedSpec],
    );
    return rows[0]?.checksum ?? null;
  }

  /** The revision row is locked first, so concurrent presses on any replica are serialised and the gate opens exactly once. */
  approve(key: GateKey, user: string, required: number, at: number): Promise<GateApprovalOutcome> {
    return inTransaction(this.pool, async (c): Promise<GateApprovalOutcome> => {
      const rev = [key.namespace, key.canary, key.checksum];
      const gate = [...rev, key.gate];
      const revision = await c.query('SELECT 1 FROM canary_revisions WHERE namespace = $1 AND canary = $2 AND checksum = $3 FOR UPDATE', rev);
      if (revision.rowCount === 0) return { kind: 'superseded' };
      await c.query('INSERT INTO canary_gates (namespace, canary, checksum, gate, required, opened_at) VALUES ($1, $2, $3, $4, $5, NULL) ON CONFLICT DO NOTHING', [...gate, Math.max(1, required)]);
      const before = (await read(c, key))!;
      if (before.open) return { kind: 'already-open', gate: before };
      const added = await c.query('INSERT INTO canary_gate_approvals (namespace, canary, checksum, gate, user_id, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING', [...gate, user, at]);
      if (added.rowCount === 0) return { kind: 'duplicate', gate: before };
      const after = (await read(c, key))!;
      if (after.approvals.length < after.required) return { kind: 'recorded', gate: after };
      await c.query('UPDATE canary_gates SET opened_at = $5 WHERE namespace = $1 AND canary = $2 AND checksum = $3 AND gate = $4 AND opened_at IS NULL', [...gate, at]);
      return { kind: 'opened', gate: (await read(c, key))! };
    });
  }

  gate(key: GateKey): Promise<CanaryGate | null> {
    return read(this.pool, key);
  }

  async endRevisions(namespace: string, canary: string, appliedSpec: string | null): Promise<number> {
    const result =
      appliedSpec === null
        ? await this.pool.query('DELETE FROM canary_revisions WHERE namespace = $1 AND canary = $2', [namespace, canary])
        : await this.pool.query('DELETE FROM canary_revisions WHERE namespace = $1 AND canary = $2 AND applied_spec = $3', [namespace, canary, appliedSpec]);
    return result.rowCount ?? 0;
  }

  async addFollower(f: CanaryFollower): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO canary_followers (namespace, canary, context, env, channel, thread_ts, user_id, since, last_said)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [f.namespace, f.canary, f.context, f.env, f.channel, f.threadTs, f.user, f.since, f.lastSaid],
    );
    return result.rowCount === 1;
  }

  async followers(): Promise<CanaryFollower[]> {
    const { rows } = await this.pool.query<FollowerRow>('SELECT * FROM canary_followers ORDER BY since, channel, thread_ts');
    return rows.map(followerFromRow);
  }

  async markFollowers(namespace: string, canary: string, context: string, lastSaid: string): Promise<void> {
    await this.pool.query('UPDATE canary_followers SET last_said = $4 WHERE namespace = $1 AND canary = $2 AND context = $3', [namespace, canary, context, lastSaid]);
  }

  async removeFollowers(namespace: string, canary: string, context: string): Promise<number> {
    return (await this.pool.query('DELETE FROM canary_followers WHERE namespace = $1 AND canary = $2 AND context = $3', [namespace, canary, context])).rowCount ?? 0;
  }
}

async function read(db: Queryable, key: GateKey): Promise<CanaryGate | null> {
  const params = [key.namespace, key.canary, key.checksum, key.gate];
  const { rows } = await db.query<GateRow>('SELECT * FROM canary_gates WHERE namespace = $1 AND canary = $2 AND checksum = $3 AND gate = $4', params);
  const row = rows[0];
  if (!row) return null;
  const approvals = await db.query<{ user_id: string; at: number | string }>(
    'SELECT user_id, at FROM canary_gate_approvals WHERE namespace = $1 AND canary = $2 AND checksum = $3 AND gate = $4 ORDER BY at, user_id',
    params,
  );
  return gateFromRow(row, approvals.rows);
}
