// PostgreSQL specifics of the store: replicas starting together migrate once, a newer schema is refused, a lost connection is replaced.
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/adapters/store/postgres.js';
import { migrations } from '../../src/adapters/store/migrations.js';
import { createTestSchema, POSTGRES_SKIP, POSTGRES_URL } from '../support/store-backends.js';

if (!POSTGRES_URL) process.stderr.write(`${POSTGRES_SKIP}\n`);

describe.skipIf(!POSTGRES_URL)('PostgresStore', () => {
  let schema: Awaited<ReturnType<typeof createTestSchema>>;
  const opened: PostgresStore[] = [];
  const open = async (): Promise<PostgresStore> => {
    const store = await PostgresStore.open(schema.url, { max: 2 });
    opened.push(store);
    return store;
  };
  const peek = async <T extends pg.QueryResultRow>(text: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: schema.url });
    await client.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      await client.end();
    }
  };

  beforeEach(async () => {
    schema = await createTestSchema(POSTGRES_URL!);
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await schema.drop();
  });

  it('migrates once when five replicas start together (advisory lock), and again finds nothing to do', async () => {
    await Promise.all([open(), open(), open(), open(), open()]);
    const versions = await peek<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.map((r) => r.version)).toEqual(migrations.map((m) => m.version));
    await open();
    expect(await peek('SELECT version FROM schema_migrations')).toHaveLength(migrations.length);
  });

  it('refuses a database migrated by a newer release', async () => {
    await open();
    await peek("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)");
    await expect(open()).rejects.toThrow(/newer than this release/);
  });

  it('answers again after its connections were killed: the pool replaces them', async () => {
    const store = await open();
    await store.schedule('t', 'k', 1);
    const killed = await peek<{ killed: boolean }>(
      "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = 'flightdeck' AND pid <> pg_backend_pid() AND query NOT LIKE '%pg_terminate_backend%'",
    );
    expect(killed.length).toBeGreaterThan(0);
    // The first query may meet a connection the server just closed; the one after it gets a fresh one.
    await store.ping().catch(() => undefined);
    await expect.poll(() => store.ping().then(() => 'up', () => 'down')).toBe('up');
    expect((await store.claimDue(10, 10)).map((t) => t.key)).toEqual(['k']);
  });
});
