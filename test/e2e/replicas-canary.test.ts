// End to end: canary threads followed on two replicas sharing PostgreSQL: one watch, every thread told, handed over without a line twice.
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld } from '../../src/sandbox/world.js';
import { eventually, type Running } from '../support/harness.js';
import { canaryStatusOf, press, repliesTo } from '../support/canary-kit.js';
import { startReplicaPair, type ReplicaPair } from '../support/replica-pair.js';
import { POSTGRES_SKIP, POSTGRES_URL } from '../support/store-backends.js';

if (!POSTGRES_URL) process.stderr.write(`${POSTGRES_SKIP}\n`);

let pair: ReplicaPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

/** `/canary-status prod` and Follow, both on one replica; resolves with the thread once it says it follows. */
async function followOn(replica: Running): Promise<string> {
  const status = await canaryStatusOf(replica, 'prod');
  await press(replica, 'canary_follow', status.buttons.find((b) => b.text === 'Follow')!.value, 'U0DEV', status.ts);
  await eventually(() => repliesTo(replica, status.ts).some((t) => t.includes('Following canary `backend` (production)')), { what: 'following' });
  return status.ts;
}

const verdictIn = (r: Running, ts: string) => repliesTo(r, ts).filter((t) => t.includes('analysis passed and Flagger promoted it')).length;

describe.skipIf(!POSTGRES_URL)('canary follow on two replicas', () => {
  it('watches from one replica for threads on both, and the other carries on after it stops, saying nothing twice', async () => {
    pair = await startReplicaPair({ world: await startWorld() });
    const { a, b, world } = pair;
    world.kube.flagger.setOutcome('production', 'backend', 'hang');
    world.kube.flagger.analyse('production', 'backend');
    const first = await followOn(a);
    const second = await followOn(b); // b holds no lease: a tells this thread too
    await eventually(() => world.kube.watchCount() === 1, { what: 'one watch' });
    await a.app.stop(); // hands the canary's lease over
    await b.app.tick(); // the lease timer is due now: b adopts the canary
    await eventually(() => world.kube.watchCount() === 1, { what: 'the watch on b' });
    world.kube.flagger.setOutcome('production', 'backend', 'succeed');
    await eventually(() => verdictIn(b, first) === 1 && verdictIn(b, second) === 1, { what: 'both verdicts', timeoutMs: 15_000 });
    await eventually(async () => (await b.app.store.canaryFollowers()).length === 0, { what: 'followers removed' });
    for (const ts of [first, second]) {
      const thread = repliesTo(b, ts);
      expect(thread).toEqual([...new Set(thread)]);
      expect(thread.filter((t) => t.includes('Following canary'))).toHaveLength(1);
      expect(thread.filter((t) => t.includes('50% of 50%'))).toHaveLength(1);
    }
  });
});
