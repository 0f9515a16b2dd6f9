// The PostgreSQL connection side of the store: a bounded pg pool, transactions on one client, migrations under an advisory lock.
import pg from 'pg';
import { SCHEMA_MIGRATIONS_SQL, migrationSql, migrations } from './migrations.js';

/** A pool or a client inside a transaction: either runs a query. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface PoolOptions {
  /** most connections this process opens (default 10) */
  max?: number;
  /** called for errors of idle connections (a database restart); the pool drops them and connects again on demand */
  onError?: (err: Error) => void;
  /** called with the text of every statement sent, BEGIN and COMMIT too (one round trip each; bench/replicas.ts counts them) */
  onQuery?: (sql: string) => void;
}

/** How long a query may run on the server, and how long a caller waits for a free connection, before failing. */
const STATEMENT_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;

export function createPool(url: string, opts: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: 'flightdeck',
    ...(opts.onQuery ? { Client: reportingClient(opts.onQuery) } : {}),
  });
  // Without a listener an idle connection's error (the server restarted) would end the process.
  pool.on('error', (err) => opts.onError?.(err));
  return pool;
}

/** pg's Client, telling `onQuery` about each statement before sending it (pool.query goes through it too). */
function reportingClient(onQuery: (sql: string) => void): typeof pg.Client {
  return class ReportingClient extends pg.Client {
    override query(...args: unknown[]): any {
      const first = args[0] as string | { text?: string } | undefined;
      onQuery(typeof first === 'string' ? first : (first?.text ?? ''));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
  };
}

/** Runs fn in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      // The connection itself failed: it must not go back to the pool.
      broken = true;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * Applies the migrations this database lacks in one transaction that first takes an advisory lock (per schema), so
 * replicas starting together wait for one another and each migration runs once.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('flightdeck.migrations.' || current_schema()))");
    await client.query(SCHEMA_MIGRATIONS_SQL);
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => Number(r.version)));
    const newest = migrations.at(-1)?.version ?? 0;
    const unknown = [...applied].filter((v) => v > newest);
    if (unknown.length > 0) throw new Error(`store schema is at version ${Math.max(...unknown)}, newer than this release knows (${newest}); run a newer release`);
    for (const migration of migrations) {
      if (applied.has(migration.version)) continue;
      await client.query(migrationSql(migration, 'postgres'));
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, Date.now()]);
    }
  });
}

/** "$1, $2, ..." for n values starting at `from`. */
export function placeholders(n: number, from = 1): string {
  return Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');
}
