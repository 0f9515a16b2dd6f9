// Two Flightdeck replicas on one sandbox world and one PostgreSQL schema of their own, sharing a manual clock.
import { ManualClock } from '../../src/runtime/clock.js';
import { startWorld, type World } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from './harness.js';
import { createTestSchema, POSTGRES_URL } from './store-backends.js';

export interface ReplicaPair {
  world: World;
  clock: ManualClock;
  /** the database URL both replicas use (a schema of its own) */
  databaseUrl: string;
  a: Running;
  b: Running;
  /** starts one more replica on the same world and database */
  another(): Promise<Running>;
  close(): Promise<void>;
}

export async function startReplicaPair(opts: { world?: World; env?: Record<string, string> } = {}): Promise<ReplicaPair> {
  if (!POSTGRES_URL) throw new Error('FLIGHTDECK_TEST_POSTGRES_URL is not set');
  const world = opts.world ?? (await startWorld());
  const schema = await createTestSchema(POSTGRES_URL);
  const clock = new ManualClock(Date.now());
  const running: Running[] = [];
  const another = async (): Promise<Running> => {
    const replica = await startFlightdeck({ world, env: { ...opts.env, DATABASE_URL: schema.url }, options: { clock, ...(opts.env ? { env: opts.env } : {}) } });
    running.push(replica);
    return replica;
  };
  const a = await another();
  const b = await another();
  return {
    world,
    clock,
    databaseUrl: schema.url,
    a,
    b,
    another,
    async close() {
      // A replica a test stopped already answers close() with an error: it is down, which is what the test wanted.
      for (const replica of running) await replica.close().catch(() => undefined);
      await world.close();
      await schema.drop();
    },
  };
}
