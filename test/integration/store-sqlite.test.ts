// SQLite specifics of the store: file setup, migrations, pruning, and races between threads on one file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { migrationSql, migrations, SCHEMA_MIGRATIONS_SQL } from '../../src/adapters/store/migrations.js';
import { raceOnOneFile } from '../support/store-threads.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'flightdeck-sqlite-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function peek<T>(path: string, query: string): T[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(query).all() as T[];
  } finally {
    db.close();
  }
}

describe('SqliteStore', () => {
  it('creates the parent folder, uses WAL and records each migration once', async () => {
    const path = join(dir, 'a', 'b', 'flightdeck.db');
    await SqliteStore.open(path).close();
    await SqliteStore.open(path).close();
    expect(peek<{ journal_mode: string }>(path, 'PRAGMA journal_mode')[0]?.journal_mode).toBe('wal');
    expect(peek<{ version: number }>(path, 'SELECT version FROM schema_migrations ORDER BY version').map((r) => r.version)).toEqual(
      migrations.map((m) => m.version),
    );
  });

  it('refuses a database migrated by a newer release', async () => {
    const path = join(dir, 'flightdeck.db');
    await SqliteStore.open(path).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(999, 'future', 0);
    db.close();
    expect(() => SqliteStore.open(path)).toThrow(/newer than this release/);
  });

  it('migrates a database of an earlier release and keeps its requests', async () => {
    const path = join(dir, 'old.db');
    const db = new Database(path);
    db.exec(SCHEMA_MIGRATIONS_SQL);
    db.exec(migrationSql(migrations[0]!, 'sqlite'));
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(1, migrations[0]!.name, 0);
    db.prepare("INSERT INTO requests (id, kind, env, version, changes, requester, channel, state, required, created_at, updated_at) VALUES ('run-old', 'deploy', 'production', 'v3.0.0', '[]', 'U_R', 'C', 'syncing', 2, 1, 1)").run();
    db.close();
    const store = SqliteStore.open(path);
    expect(await store.getRequest('run-old')).toMatchObject({ state: 'syncing', version: 'v3.0.0', canaryBaseline: null });
    expect(await store.transition('run-old', 'syncing', 'succeeded', { canaryBaseline: 'abc' }, 2)).toMatchObject({ canaryBaseline: 'abc' });
    await store.close();
  });

  it('works in memory', async () => {
    const store = SqliteStore.open(':memory:');
    expect(await store.firstSeen('x', 1)).toBe(true);
    await store.close();
  });

  it('enforces that approvals belong to a request', async () => {
    const path = join(dir, 'flightdeck.db');
    await SqliteStore.open(path).close();
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    expect(() => db.prepare('INSERT INTO approvals (request_id, user_id, at, ordinal) VALUES (?, ?, ?, ?)').run('none', 'U', 1, 1)).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('forgets seen ids after a day', async () => {
    const store = SqliteStore.open(join(dir, 'flightdeck.db'));
    const day = 24 * 60 * 60 * 1000;
    expect(await store.firstSeen('old', 0)).toBe(true);
    expect(await store.firstSeen('recent', 1.5 * day)).toBe(true);
    expect(await store.firstSeen('trigger', 2 * day + 1)).toBe(true);
    expect(await store.firstSeen('old', 2 * day + 2)).toBe(true);
    expect(await store.firstSeen('recent', 2 * day + 3)).toBe(false);
    await store.close();
  });

  it('writes migrations every dialect can read', () => {
    for (const migration of migrations) {
      expect(migrationSql(migration, 'sqlite')).not.toContain('{{');
      expect(migrationSql(migration, 'postgres')).not.toContain('{{');
      if (migration.sql.includes('{{autoId}}')) expect(migrationSql(migration, 'postgres')).toContain('GENERATED ALWAYS AS IDENTITY');
    }
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('gives one approval decision per request and each timer to one thread, with four threads on one file', async () => {
    const path = join(dir, 'race', 'flightdeck.db');
    const setup = SqliteStore.open(path);
    const requestIds = Array.from({ length: 30 }, (_, i) => `run-${i}`);
    for (const id of requestIds) {
      await setup.createRequest({
        id, kind: 'deploy', env: 'prod', version: 'v1', changes: [], requester: 'U_R', channel: 'C', messageTs: null, state: 'pending',
        required: 2, approvals: [], rejectedBy: null, createdAt: 1, expiresAt: null, commitSha: null, canaryBaseline: null, outcome: null, overlayBase: null, updatedAt: 1,
      });
    }
    for (let i = 0; i < 200; i++) await setup.schedule('t', `k${i}`, i);
    await setup.close();

    const results = await raceOnOneFile(path, ['U_A', 'U_B', 'U_C', 'U_D'], requestIds);

    for (const id of requestIds) {
      const kinds = results.flatMap((r) => r.outcomes.filter(([rid]) => rid === id).map(([, kind]) => kind)).sort();
      expect(kinds, id).toEqual(['approved', 'not-pending', 'not-pending', 'recorded']);
    }
    const timers = results.flatMap((r) => r.timers);
    expect(timers).toHaveLength(200);
    expect(new Set(timers).size).toBe(200);
    const check = SqliteStore.open(path);
    expect((await check.listRequests(['approved'])).every((r) => r.approvals.length === 2)).toBe(true);
    await check.close();
  });
});
