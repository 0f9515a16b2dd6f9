// End to end: what Slack does not take now but may later is sent again later, in order, once. A rate limit longer than
// the client waits (Retry-After 120 s), or Slack answering 503, holds the run's thread lines (the delivery itself goes
// on); once the wait has passed on the clock, the whole story appears in order, each line once. A post whose answer was
// lost (it may have been applied) is never sent again.
import { afterEach, describe, expect, it } from 'vitest';
import { RETRIES } from '../../src/adapters/slack/webApiPolicy.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { slackFaults } from '../../src/sandbox/faults.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { lastRequest, threadOf } from '../support/slack-view.js';

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

const STORY = [/^:white_check_mark: Approved by <@U0LEAD> \(1 of 1\)\.$/, /^:memo: Committed /, /^:arrows_counterclockwise: Asked Argo CD to sync shop-staging/, /^:white_check_mark: shop-staging is synced/, /^:rocket: staging now runs `v3\.0\.0`\.$/];

function expectStoryOnce(run: Running, ts: string): void {
  const thread = threadOf(run.world, ts);
  expect(new Set(thread).size, 'no line posted twice').toBe(thread.length);
  expect(thread).toHaveLength(STORY.length);
  STORY.forEach((line, i) => expect(thread[i]).toMatch(line));
}

const stateOf = async (run: Running, id: string) => (await run.app.store.getRequest(id))?.state;

/** A staging request waiting for approval, on a clock the test moves. */
async function pendingOn(clock: ManualClock, options: { webApiRetries?: number } = {}) {
  const run = await startFlightdeck({ options: { clock, ...options } });
  await run.slash('staging v3.0.0', 'U0DEV');
  await run.settled();
  return { run, req: lastRequest(run.world)! };
}

describe('thread lines Slack did not take', () => {
  it('a rate limit longer than the client waits: the lines wait their turn and appear in order once it has passed', async () => {
    const clock = new ManualClock(Date.now());
    const { run, req } = await pendingOn(clock, { webApiRetries: RETRIES });
    fd = run;
    run.world.slack.faults.inject({ method: 'POST', path: '/api/chat.postMessage', ...slackFaults.rateLimited(120) });
    await run.click('deploy_approve', req.id, 'U0LEAD');
    // the delivery does not wait for Slack; the thread does
    await expect.poll(() => stateOf(run, req.id)).toBe('succeeded');
    expect(run.world.slack.faults.injected.map((f) => f.status)).toEqual([429]);
    expect(threadOf(run.world, req.ts)).toEqual([]);
    clock.advance(119_000);
    expect(threadOf(run.world, req.ts)).toEqual([]);
    clock.advance(1_000);
    await run.settled();
    expectStoryOnce(run, req.ts);
    expect(lastRequest(run.world)!.shown).toMatch(/Deployed `?v3\.0\.0`? to staging/);
  });

  it('Slack answering 503: sent again after a growing wait, each line once', async () => {
    const clock = new ManualClock(Date.now());
    const { run, req } = await pendingOn(clock);
    fd = run;
    run.world.slack.faults.inject({ method: 'POST', path: '/api/chat.postMessage', times: 2, kind: 'status', status: 503, body: 'upstream unavailable' });
    await run.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(() => stateOf(run, req.id)).toBe('succeeded');
    await expect.poll(() => run.world.slack.faults.injected.length).toBe(1);
    clock.advance(5_000);
    await expect.poll(() => run.world.slack.faults.injected.length).toBe(2);
    // the second wait is twice the first
    clock.advance(5_000);
    expect(threadOf(run.world, req.ts)).toEqual([]);
    clock.advance(5_000);
    await run.settled();
    expectStoryOnce(run, req.ts);
  });

  it('a post whose answer was lost is not sent again: the line appears once', async () => {
    const clock = new ManualClock(Date.now());
    const { run, req } = await pendingOn(clock, { webApiRetries: RETRIES });
    fd = run;
    run.world.slack.faults.inject({ method: 'POST', path: '/api/chat.postMessage', kind: 'lost' });
    await run.click('deploy_approve', req.id, 'U0LEAD');
    await run.settled();
    expect(run.world.slack.faults.injected.map((f) => f.kind)).toEqual(['lost']);
    expectStoryOnce(run, req.ts);
  });
});
