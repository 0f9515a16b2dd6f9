// The store's schema as an ordered list of numbered migrations, written in SQL both SQLite and PostgreSQL accept.
import { incidentsMigration } from './incidents.js';
import { leasesMigration } from './leases.js';

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
  {
    version: 3,
    name: 'requests keep the overlay they were checked against, so the commit needs no second read',
    sql: `ALTER TABLE requests ADD COLUMN overlay_base TEXT;`,
  },
  {
    version: 4,
    name: 'flagger gates per canary revision, their approvals, threads following canaries',
    sql: `
      CREATE TABLE canary_revisions (
        namespace    TEXT NOT NULL,
        canary       TEXT NOT NULL,
        checksum     TEXT NOT NULL,
        applied_spec TEXT,
        first_seen   BIGINT NOT NULL,
        PRIMARY KEY (namespace, canary, checksum)
      );
      CREATE INDEX canary_revisions_by_spec ON canary_revisions (namespace, canary, applied_spec);

      CREATE TABLE canary_gates (
        namespace TEXT NOT NULL,
        canary    TEXT NOT NULL,
        checksum  TEXT NOT NULL,
        gate      TEXT NOT NULL,
        required  INTEGER NOT NULL,
        opened_at BIGINT,
        PRIMARY KEY (namespace, canary, checksum, gate),
        FOREIGN KEY (namespace, canary, checksum) REFERENCES canary_revisions (namespace, canary, checksum) ON DELETE CASCADE
      );

      CREATE TABLE canary_gate_approvals (
        namespace TEXT NOT NULL,
        canary    TEXT NOT NULL,
        checksum  TEXT NOT NULL,
        gate      TEXT NOT NULL,
        user_id   TEXT NOT NULL,
        at        BIGINT NOT NULL,
        PRIMARY KEY (namespace, canary, checksum, gate, user_id),
        FOREIGN KEY (namespace, canary, checksum, gate) REFERENCES canary_gates (namespace, canary, checksum, gate) ON DELETE CASCADE
      );

      CREATE TABLE canary_followers (
        namespace TEXT NOT NULL,
        canary    TEXT NOT NULL,
        context   TEXT NOT NULL,
        env       TEXT NOT NULL,
        channel   TEXT NOT NULL,
        thread_ts TEXT NOT NULL,
        user_id   TEXT NOT NULL,
        since     BIGINT NOT NULL,
        last_said TEXT,
        PRIMARY KEY (namespace, canary, context, channel, thread_ts)
      );
    `,
  },
  incidentsMigration,
  leasesMigration,
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
