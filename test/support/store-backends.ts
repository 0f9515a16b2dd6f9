// The Store backends the contract tests run against; a new backend is one more entry in `storeBackends`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../src/ports.js';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';

/** One empty database; every `open` is another Store on it: a second replica, or the same one after a restart. */
export interface StoreDatabase {
  open(): Promise<Store>;
  /** Closes every store opened here and removes the database. */
  dispose(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  create(): Promise<StoreDatabase>;
}

const sqliteFile: StoreBackend = {
  name: 'sqlite file',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'flightdeck-store-'));
    // a parent folder that does not exist yet: open must create it
    const path = join(dir, 'data', 'flightdeck.db');
    const opened: Store[] = [];
    return {
      async open() {
        const store = SqliteStore.open(path);
        opened.push(store);
        return store;
      },
      async dispose() {
        for (const store of opened) await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

export const storeBackends: StoreBackend[] = [sqliteFile];

// PostgreSQL: push a backend here that creates a fresh schema per database when the URL is set.
if (process.env.FLIGHTDECK_TEST_POSTGRES_URL) {
  throw new Error('FLIGHTDECK_TEST_POSTGRES_URL is set, but there is no PostgresStore yet: add its backend in test/support/store-backends.ts');
}
