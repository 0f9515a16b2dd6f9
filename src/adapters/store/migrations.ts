// The store's schema as an ordered list of numbered migrations, written in SQL both SQLite and PostgreSQL accept.
import { incidentsMigration } from './incidents.js';

/**
 * One schema step. `sql` may hold several statements. Times are BIGINT epoch milliseconds and
 * JSON is TEXT, so the same text serves SQLite and PostgreSQL; the one construct they spell
 * differently, an auto-assigned id, is written `{{autoId}}` and filled in by `migrationSql`.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export type SqlDialect = 'sqlite' | 'postgres';

const AUTO_ID: Record<SqlDialect, string> = {
  sqlite: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  postgres: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};

/** Never edit a released migration: append a new one. Versions are 1, 2, 3, ... in order. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'requests, approvals, locks, audit, timers, seen ids',
    sql: `
      CREATE TABLE requests (
        id          TEXT PRIMARY KEY,
        kind        TEXT NOT NULL,
        env         TEXT NOT NULL,
        version     TEXT NOT NULL,
        changes     TEXT NOT NULL,
        requester   TEXT NOT NULL,
        channel     TEXT NOT NULL,
        message_ts  TEXT,
        state       TEXT NOT NULL,
        required    INTEGER NOT NULL,
        rejected_by TEXT,
        created_at  BIGINT NOT NULL,
        expires_at  BIGINT,
        commit_sha  TEXT,
        outcome     TEXT,
        updated_at  BIGINT NOT NULL
      );
      CREATE INDEX requests_by_state ON requests (state, created_at);

      CREATE TABLE approvals (
        request_id TEXT NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
        user_id    TEXT NOT NULL,
        at         BIGINT NOT NULL,
        ordinal    INTEGER NOT NULL,
        PRIMARY KEY (request_id, user_id)
      );

      CREATE TABLE locks (
        env    TEXT PRIMARY KEY,
        owner  TEXT NOT NULL,
        reason TEXT NOT NULL,
        since  BIGINT NOT NULL,
        until  BIGINT
      );

      CREATE TABLE audit (
        id     {{autoId}},
        at     BIGINT NOT NULL,
        run_id TEXT NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        detail TEXT NOT NULL
      );
      CREATE INDEX audit_by_run ON audit (run_id, id);

      CREATE TABLE timers (
        id         {{autoId}},
        kind       TEXT NOT NULL,
        key        TEXT NOT NULL,
        due_at     BIGINT NOT NULL,
        claimed_at BIGINT,
        UNIQUE (kind, key)
      );
      CREATE INDEX timers_due ON timers (due_at) WHERE claimed_at IS NULL;

      CREATE TABLE seen_ids (
        id TEXT PRIMARY KEY,
        at BIGINT NOT NULL
      );
      CREATE INDEX seen_ids_by_age ON seen_ids (at);
    `,
  },
  {
    version: 2,
    name: 'requests remember the canary analysis they wait for',
    sql: `ALTER TABLE requests ADD COLUMN canary_baseline TEXT;`,
  },
  incidentsMigration,
];

/** The migration's SQL for one dialect. */
export function migrationSql(migration: Migration, dialect: SqlDialect): string {
  return migration.sql.replaceAll('{{autoId}}', AUTO_ID[dialect]);
}

/** Creates the bookkeeping table; applied migrations are rows of it. */
export const SCHEMA_MIGRATIONS_SQL = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
  )`;
