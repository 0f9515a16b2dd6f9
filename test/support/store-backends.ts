// The Store backends the contract tests run against: SQLite always, PostgreSQL when FLIGHTDECK_TEST_POSTGRES_URL names one.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, it } from 'vitest';
import type { Store } from '../../src/ports.js';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { PostgresStore } from '../../src/adapters/store/postgres.js';

/** One empty database; every `open` is another Store on it: a second replica, or the same one after a restart. */
export interface StoreDatabase {
  open(): Promise<Store>;
  /** Closes every store opened here and removes the database. */
  dispose(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  /** why this backend does not run here; the suites report it as a skipped test */
  skip?: string;
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

export const POSTGRES_URL = process.env.FLIGHTDECK_TEST_POSTGRES_URL;
export const POSTGRES_SKIP =
  'PostgreSQL: skipped, FLIGHTDECK_TEST_POSTGRES_URL is not set (.ci/run sets it when PostgreSQL answers on 127.0.0.1:5432)';

/** A connection URL whose sessions use `schema` (libpq's `options`: -c search_path=...). */
export function urlWithSchema(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${schema}`);
  return parsed.toString();
}

/** A fresh schema of its own, so test files running in parallel on one database never see each other's rows. */
export async function createTestSchema(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `fd_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  return {
    url: urlWithSchema(url, schema),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

const postgres: StoreBackend = {
  name: 'postgresql',
  ...(POSTGRES_URL ? {} : { skip: POSTGRES_SKIP }),
  async create() {
    if (!POSTGRES_URL) throw new Error(POSTGRES_SKIP);
    const schema = await createTestSchema(POSTGRES_URL);
    const opened: Store[] = [];
    return {
      async open() {
        const store = await PostgresStore.open(schema.url, { max: 4 });
        opened.push(store);
        return store;
      },
      async dispose() {
        for (const store of opened) await store.close();
        await schema.drop();
      },
    };
  },
};

export const storeBackends: StoreBackend[] = [sqliteFile, postgres];

/** Inside a backend's describe: registers a skipped test that says why, and tells the caller to register nothing else. */
export function skippedHere(backend: StoreBackend): boolean {
  if (!backend.skip) return false;
  process.stderr.write(`${backend.skip}\n`);
  it.skip(backend.skip, () => undefined);
  return true;
}

/**
 * Inside a backend's describe: before each test a new empty database and a store opened on it, handed to `use`
 * (`db.open()` opens another store on the same database: a second replica, or a restart); after each, both are gone.
 */
export function freshStoreEach(backend: StoreBackend, use: (db: StoreDatabase, store: Store) => void | Promise<void>): void {
  let db: StoreDatabase | undefined;
  beforeEach(async () => {
    db = await backend.create();
    await use(db, await db.open());
  });
  afterEach(async () => {
    await db?.dispose();
  });
}
