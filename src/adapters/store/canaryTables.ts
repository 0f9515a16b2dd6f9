// The SQLite side of the Store's canary methods: revisions Flagger presented, their gates and approvals, following threads.
import type Database from 'better-sqlite3';
import type { CanaryFollower, CanaryGate, CanaryRevision, GateApprovalOutcome, GateKey } from '../../domain/canaryGates.js';
import { followerFromRow, gateFromRow, type FollowerRow, type GateRow } from './canaryRows.js';

export class SqliteCanaryTables {
  constructor(private readonly db: Database.Database) {}

  /** One transaction: insert the revision if new (filling a missing spec hash), and forget the canary's other revisions. */
  noteRevision(rev: CanaryRevision): { isNew: boolean; needsSpec: boolean } {
    return this.db
      .transaction(() => {
        const inserted = this.db
          .prepare('INSERT INTO canary_revisions (namespace, canary, checksum, applied_spec, first_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
          .run(rev.namespace, rev.canary, rev.checksum, rev.appliedSpec, rev.firstSeen).changes;
        if (inserted === 0 && rev.appliedSpec !== null) {
          this.db.prepare('UPDATE canary_revisions SET applied_spec = ? WHERE namespace = ? AND canary = ? AND checksum = ? AND applied_spec IS NULL').run(rev.appliedSpec, rev.namespace, rev.canary, rev.checksum);
        }
        // A later checksum supersedes: Flagger analyses one revision of a canary at a time.
        if (inserted === 1) this.db.prepare('DELETE FROM canary_revisions WHERE namespace = ? AND canary = ? AND checksum <> ?').run(rev.namespace, rev.canary, rev.checksum);
        const stored = this.db.prepare('SELECT applied_spec FROM canary_revisions WHERE namespace = ? AND canary = ? AND checksum = ?').get(rev.namespace, rev.canary, rev.checksum) as { applied_spec: string | null };
        return { isNew: inserted === 1, needsSpec: stored.applied_spec === null };
      })
      .immediate();
  }

  checksumOf(namespace: string, canary: string, appliedSpec: string): string | null {
    const row = this.db
      .prepare('SELECT checksum FROM canary_revisions WHERE namespace = ? AND canary = ? AND applied_spec = ? ORDER BY first_seen DESC LIMIT 1')
      .get(namespace, canary, appliedSpec) as { checksum: string } | undefined;
    return row?.checksum ?? null;
  }

  /** One IMMEDIATE transaction: concurrent presses are serialised, and the gate opens exactly once. */
  approve(key: GateKey, user: string, required: number, at: number): GateApprovalOutcome {
    return this.db
      .transaction((): GateApprovalOutcome => {
        const revision = this.db.prepare('SELECT 1 FROM canary_revisions WHERE namespace = ? AND canary = ? AND checksum = ?').get(key.namespace, key.canary, key.checksum);
        if (!revision) return { kind: 'superseded' };
        this.db
          .prepare('INSERT INTO canary_gates (namespace, canary, checksum, gate, required, opened_at) VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT DO NOTHING')
          .run(key.namespace, key.canary, key.checksum, key.gate, Math.max(1, required));
        const before = this.read(key)!;
        if (before.open) return { kind: 'already-open', gate: before };
        const added = this.db
          .prepare('INSERT INTO canary_gate_approvals (namespace, canary, checksum, gate, user_id, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
          .run(key.namespace, key.canary, key.checksum, key.gate, user, at).changes;
        if (added === 0) return { kind: 'duplicate', gate: before };
        const after = this.read(key)!;
        if (after.approvals.length < after.required) return { kind: 'recorded', gate: after };
        this.db.prepare('UPDATE canary_gates SET opened_at = ? WHERE namespace = ? AND canary = ? AND checksum = ? AND gate = ? AND opened_at IS NULL').run(at, key.namespace, key.canary, key.checksum, key.gate);
        return { kind: 'opened', gate: this.read(key)! };
      })
      .immediate();
  }

  gate(key: GateKey): CanaryGate | null {
    return this.db.transaction(() => this.read(key))();
  }

  endRevisions(namespace: string, canary: string, appliedSpec: string | null): number {
    if (appliedSpec === null) return this.db.prepare('DELETE FROM canary_revisions WHERE namespace = ? AND canary = ?').run(namespace, canary).changes;
    return this.db.prepare('DELETE FROM canary_revisions WHERE namespace = ? AND canary = ? AND applied_spec = ?').run(namespace, canary, appliedSpec).changes;
  }

  addFollower(f: CanaryFollower): boolean {
    return (
      this.db
        .prepare(
          `INSERT INTO canary_followers (namespace, canary, context, env, channel, thread_ts, user_id, since, last_said)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        )
        .run(f.namespace, f.canary, f.context, f.env, f.channel, f.threadTs, f.user, f.since, f.lastSaid).changes === 1
    );
  }

  followers(): CanaryFollower[] {
    const rows = this.db.prepare('SELECT * FROM canary_followers ORDER BY since, channel, thread_ts').all() as FollowerRow[];
    return rows.map(followerFromRow);
  }

  markFollowers(namespace: string, canary: string, context: string, lastSaid: string): void {
    this.db.prepare('UPDATE canary_followers SET last_said = ? WHERE namespace = ? AND canary = ? AND context = ?').run(lastSaid, namespace, canary, context);
  }

  removeFollowers(namespace: string, canary: string, context: string): number {
    return this.db.prepare('DELETE FROM canary_followers WHERE namespace = ? AND canary = ? AND context = ?').run(namespace, canary, context).changes;
  }

  private read(key: GateKey): CanaryGate | null {
    const row = this.db
      .prepare('SELECT * FROM canary_gates WHERE namespace = ? AND canary = ? AND checksum = ? AND gate = ?')
      .get(key.namespace, key.canary, key.checksum, key.gate) as GateRow | undefined;
    if (!row) return null;
    const approvals = this.db
      .prepare('SELECT user_id, at FROM canary_gate_approvals WHERE namespace = ? AND canary = ? AND checksum = ? AND gate = ? ORDER BY at, user_id')
      .all(key.namespace, key.canary, key.checksum, key.gate) as Array<{ user_id: string; at: number | string }>;
    return gateFromRow(row, approvals);
  }
}
