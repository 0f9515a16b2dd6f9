// Opens the store DATABASE_URL names: SQLite for one replica (the default), PostgreSQL for several sharing one database.
import type { DatabaseSettings } from '../../config/env.js';
import type { Store } from '../../ports.js';
import type { Logger } from '../../runtime/logger.js';
import { SqliteStore } from './sqlite.js';

/** `onQuery` hears every statement the store runs (for counting database round trips; unset in production). */
export async function openStore(database: DatabaseSettings, log?: Logger, onQuery?: (sql: string) => void): Promise<Store> {
  const counted = onQuery ? { onQuery } : {};
  if (database.kind === 'sqlite') return SqliteStore.open(database.path, counted);
  // Loaded only when asked for: a SQLite deployment never loads pg.
  const { PostgresStore } = await import('./postgres.js');
  return PostgresStore.open(database.url, {
    max: database.poolSize,
    onError: (err) => log?.warn({ err }, 'a PostgreSQL connection failed; the pool connects again on the next query'),
    ...counted,
  });
}
