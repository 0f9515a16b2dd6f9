// End to end: Follow posts a canary's analysis in the thread from one Kubernetes watch, across dropped watches and restarts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/harness.js';
import { canaryStatusOf, press, repliesTo, startCanaryWorld, type CanaryWorld } from '../support/canary-kit.js';

let w: CanaryWorld;
const flagger = () => w.fd.world.kube.flagger;
const canaryWatches = () => w.fd.world.kube.calls.filter((c) => c.path.endsWith('/canaries') && /watch=(true|1)/.test(c.query ?? '')).length;

beforeEach(async () => {
  w = await startCanaryWorld();
  flagger().setOutcome('production', 'backend', 'hang');
  flagger().analyse('production', 'backend');
});
afterEach(async () => {
  await w.close();
});

/** `/canary-status prod`, then Follow in its thread; resolves once the thread says it follows. */
async function followFromStatus(user = 'U0DEV'): Promise<string> {
  const status = await canaryStatusOf(w.fd, 'prod');
  await press(w.fd, 'canary_follow', status.buttons.find((b) => b.text === 'Follow')!.value, user, status.ts);
  await eventually(() => repliesTo(w.fd, status.ts).some((t) => t.includes('Following canary `backend` (production)')), { what: 'following' });
  // A watch sees states from when it starts; steps are 20 ms apart here (a minute with Flagger's defaults).
  await eventually(() => w.fd.world.kube.watchCount() === 1, { what: 'watch open' });
  return status.ts;
}

const verdictIn = (ts: string) => repliesTo(w.fd, ts).some((t) => t.includes('analysis passed and Flagger promoted it'));

describe('Follow', () => {
  it('tells the thread each weight step and the verdict, then stops', async () => {
    const ts = await followFromStatus();
    flagger().setOutcome('production', 'backend', 'succeed');
    await eventually(() => verdictIn(ts), { what: 'verdict', timeoutMs: 15_000 });
    const thread = repliesTo(w.fd, ts);
    expect(thread.filter((t) => /: \d+% of 50% of traffic on the canary\.$/.test(t)).map((t) => /(\d+)% of 50%/.exec(t)![1])).toEqual(['20', '30', '40', '50']);
    expect(thread.some((t) => t.includes('analysis passed; promoting the canary to primary'))).toBe(true);
    await eventually(async () => (await w.fd.app.store.canaryFollowers()).length === 0, { what: 'followers removed' });
    expect(w.fd.world.kube.watchCount()).toBe(0);
  });

  it('says when a thread already follows, and when there is nothing to follow', async () => {
    const ts = await followFromStatus();
    await press(w.fd, 'canary_follow', 'production|', 'U0LEAD', ts);
    await eventually(() => repliesTo(w.fd, ts).some((t) => t.includes('This thread already follows')), { what: 'already' });
    expect(await w.fd.app.store.canaryFollowers()).toHaveLength(1);
    flagger().setOutcome('production', 'backend', 'succeed');
    await eventually(() => verdictIn(ts), { what: 'verdict', timeoutMs: 15_000 });
    const idle = await canaryStatusOf(w.fd, 'prod');
    await press(w.fd, 'canary_follow', 'production|', 'U0DEV', idle.ts);
    await eventually(() => repliesTo(w.fd, idle.ts).some((t) => t.includes('is not analysing anything (phase Succeeded)')), { what: 'idle' });
  });

  it('tells failed checks and a failed verdict', async () => {
    const ts = await followFromStatus();
    flagger().setOutcome('production', 'backend', 'fail');
    await eventually(() => repliesTo(w.fd, ts).some((t) => t.includes('analysis failed after 5 failed checks')), { what: 'failed verdict', timeoutMs: 15_000 });
    expect(repliesTo(w.fd, ts).filter((t) => / failed checks? of 5 allowed before Flagger rolls back/.test(t))).toHaveLength(5);
  });

  it('survives a dropped watch and a 410 Gone', async () => {
    const ts = await followFromStatus();
    await eventually(() => w.fd.world.kube.watchCount() === 1, { what: 'watch open' });
    const before = canaryWatches();
    w.fd.world.kube.compact();
    expect(w.fd.world.kube.dropWatches()).toBe(1);
    flagger().setOutcome('production', 'backend', 'succeed');
    await eventually(() => verdictIn(ts), { what: 'verdict after drop', timeoutMs: 15_000 });
    expect(canaryWatches()).toBeGreaterThan(before);
  });

  it('serves two following threads from one watch', async () => {
    const first = await followFromStatus('U0DEV');
    const second = await followFromStatus('U0LEAD');
    expect(await w.fd.app.store.canaryFollowers()).toHaveLength(2);
    expect(w.fd.world.kube.watchCount()).toBe(1);
    expect(canaryWatches()).toBe(1);
    flagger().setOutcome('production', 'backend', 'succeed');
    await eventually(() => verdictIn(first) && verdictIn(second), { what: 'both verdicts', timeoutMs: 15_000 });
    expect(repliesTo(w.fd, first).filter((t) => t.includes('% of 50%'))).toEqual(repliesTo(w.fd, second).filter((t) => t.includes('% of 50%')));
  });

  it('resumes after a restart without repeating what the thread was told', async () => {
    const ts = await followFromStatus();
    const watchesBefore = canaryWatches();
    await w.fd.restart();
    // The old process's stream may still be closing: wait for the new process's own watch request.
    await eventually(() => canaryWatches() > watchesBefore && w.fd.world.kube.watchCount() === 1, { what: 'watch resumed' });
    flagger().setOutcome('production', 'backend', 'succeed');
    await eventually(() => verdictIn(ts), { what: 'verdict after restart', timeoutMs: 15_000 });
    const thread = repliesTo(w.fd, ts);
    expect(thread.filter((t) => t.includes('Following canary'))).toHaveLength(1);
    // The stage it was told when following began (10%) is not told again by the resumed watch.
    expect(thread.filter((t) => t.includes('10% of 50%') && !t.includes('Following'))).toHaveLength(0);
    expect(thread.filter((t) => t.includes('20% of 50%'))).toHaveLength(1);
  });
});
