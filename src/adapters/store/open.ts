// Opens the store DATABASE_URL names: SQLite by default; PostgreSQL is the next backend behind the same port.
import type { Store } from '../../ports.js';
import { SqliteStore } from './sqlite.js';

export type DatabaseSettings = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

export async function openStore(database: DatabaseSettings): Promise<Store> {
  if (database.kind === 'sqlite') return SqliteStore.open(database.path);
  throw new Error('DATABASE_URL: PostgreSQL is not supported by this release yet; use sqlite:<path> (one replica).');
}
