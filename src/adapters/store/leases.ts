// Leases in the store: the migration that adds them (and turns timer claims into leases), and the SQL both backends share.
import type { Migration } from './migrations.js';

/**
 * A claimed timer whose claimant has not finished it within this long is claimed again by another caller: the
 * replica that claimed it died (or hangs) before its handler finished.
 */
export const TIMER_CLAIM_LEASE_MS = 2 * 60_000;

export const leasesMigration: Migration = {
  version: 6,
  name: 'leases (one replica drives each run), timer claims that expire',
  sql: `
    CREATE TABLE leases (
      name       TEXT PRIMARY KEY,
      owner      TEXT NOT NULL,
      expires_at BIGINT NOT NULL,
      renewed_at BIGINT NOT NULL
    );
    DELETE FROM timers WHERE claimed_at IS NOT NULL;
    DROP INDEX timers_due;
    CREATE INDEX timers_due ON timers (due_at);
  `,
};

/**
 * Takes the lease for `owner` (params: name, owner, expires_at, renewed_at = now, now): inserts it, renews it when
 * the owner already holds it, or takes it over once it expired. Returns a row only when the caller holds it after.
 */
export const TAKE_LEASE_SQL = (p: (i: number) => string): string => `
  INSERT INTO leases (name, owner, expires_at, renewed_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)})
  ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at, renewed_at = excluded.renewed_at
  WHERE leases.owner = excluded.owner OR leases.expires_at <= ${p(5)}
  RETURNING owner`;

export const RELEASE_LEASE_SQL = (p: (i: number) => string): string => `DELETE FROM leases WHERE name = ${p(1)} AND owner = ${p(2)}`;

/**
 * Claims due timers (params: now, now, lease cutoff, limit): unclaimed ones, and claimed ones whose claim is older than
 * the cutoff. `lockRows` adds PostgreSQL's row locks so concurrent claimers skip each other's rows.
 */
export const CLAIM_DUE_SQL = (p: (i: number) => string, lockRows: boolean): string => `
  UPDATE timers SET claimed_at = ${p(1)}
  WHERE id IN (
    SELECT id FROM timers
    WHERE due_at <= ${p(2)} AND (claimed_at IS NULL OR claimed_at <= ${p(3)})
    ORDER BY due_at, id LIMIT ${p(4)}${lockRows ? ' FOR UPDATE SKIP LOCKED' : ''}
  )
  RETURNING id, kind, key, due_at`;

/** Deletes a finished timer (params: id, due_at) unless it was scheduled again meanwhile (which clears its claim). */
export const FINISH_TIMER_SQL = (p: (i: number) => string): string => `DELETE FROM timers WHERE id = ${p(1)} AND due_at = ${p(2)} AND claimed_at IS NOT NULL`;

export const sqliteParam = (): string => '?';
export const postgresParam = (i: number): string => `$${i}`;
