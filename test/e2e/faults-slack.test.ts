// End to end with the production Slack retry policy: a 429 with Retry-After on the request message, a thread reply or the
// message's update is waited out and sent again, and every line of the story appears exactly once (also for an app versioned
// by commit, with GitHub Deployments on: each status once). What Slack does not take now but may later (a rate limit longer
// than the client waits, Slack answering 503) holds the run's thread lines while the delivery goes on, and the whole story
// appears in order once the wait has passed on the clock; a post whose answer was lost (it may have been applied) is
// never sent again.
import { afterEach, describe, expect, it } from 'vitest';
import { RETRIES } from '../../src/adapters/slack/webApiPolicy.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { slackFaults } from '../../src/sandbox/faults.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { seedWorker, shortSha, withDeployments, WORKER_CONFIG, workerTag } from '../support/commit-app.js';
import { lastRequest, requests, threadOf } from '../support/slack-view.js';

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

const production = () => startFlightdeck({ options: { webApiRetries: RETRIES } });

/** The thread of a deploy that went through, in the order of its story. */
const STORY = [/^:white_check_mark: Approved by <@U0LEAD> \(1 of 1\)\.$/, /^:memo: Committed /, /^:arrows_counterclockwise: Asked Argo CD to sync shop-staging/, /^:white_check_mark: shop-staging is synced/, /^:rocket: staging now runs `v3\.0\.0`\.$/];

function expectStoryOnce(run: Running, ts: string): void {
  const thread = threadOf(run.world, ts);
  expect(new Set(thread).size, 'no line posted twice').toBe(thread.length);
  expect(thread).toHaveLength(STORY.length);
  STORY.forEach((line, i) => expect(thread[i]).toMatch(line));
}

describe('Slack rate limits', () => {
  it('a 429 on a thread reply is retried after Retry-After: the reply appears once, in order', async () => {
    fd = await production();
    await fd.slash('staging v3.0.0', 'U0DEV');
    await fd.settled();
    const req = lastRequest(fd.world)!;
    fd.world.slack.faults.inject({ method: 'POST', path: '/api/chat.postMessage', ...slackFaults.rateLimited(1) });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.slack.faults.injected.map((f) => f.status)).toEqual([429]);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expectStoryOnce(fd, req.ts);
  });

  it('a 429 on the request message is retried: one request is posted, not two', async () => {
    fd = await production();
    fd.world.slack.faults.inject({ method: 'POST', path: '/api/chat.postMessage', ...slackFaults.rateLimited(1) });
    await fd.slash('staging v3.0.0', 'U0DEV');
    await fd.settled();
    expect(fd.world.slack.faults.injected).toHaveLength(1);
    expect(requests(fd.world)).toHaveLength(1);
    const req = lastRequest(fd.world)!;
    expect((await fd.app.store.getRequest(req.id))?.messageTs).toBe(req.ts);
  });

  it('a 429 on the update of the request message is retried: the message shows the outcome', async () => {
    fd = await production();
    await fd.slash('staging v3.0.0', 'U0DEV');
    await fd.settled();
    const req = lastRequest(fd.world)!;
    fd.world.slack.faults.inject({ method: 'POST', path: '/api/chat.update', times: 2, ...slackFaults.rateLimited(1) });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.slack.faults.injected.map((f) => f.path)).toEqual(['/api/chat.update', '/api/chat.update']);
    expect(requests(fd.world)).toHaveLength(1);
    expect(lastRequest(fd.world)!.shown).toMatch(/succeeded|now runs/i);
    expectStoryOnce(fd, req.ts);
  });
});

describe('Slack rate limits during the deploy of an app versioned by commit, with GitHub Deployments', () => {
  it('429s on the request, a thread reply and the update are retried: every line once, each deployment status once', async () => {
    fd = await startFlightdeck({ config: withDeployments(WORKER_CONFIG), options: { webApiRetries: RETRIES } });
    const { next } = await seedWorker(fd.world, { devAt: 'next' });
    fd.world.slack.faults.inject({ method: 'POST', path: '/api/chat.postMessage', ...slackFaults.rateLimited(1) });
    await fd.slash(`staging ${shortSha(next)} worker`, 'U0DEV');
    await fd.settled();
    expect(requests(fd.world)).toHaveLength(1);
    const req = lastRequest(fd.world)!;
    expect(req.shown).toContain(`\`${workerTag(next)}\``);
    fd.world.slack.faults.inject({ method: 'POST', path: '/api/chat.postMessage', ...slackFaults.rateLimited(1) });
    fd.world.slack.faults.inject({ method: 'POST', path: '/api/chat.update', ...slackFaults.rateLimited(1) });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.slack.faults.injected.map((f) => f.status)).toEqual([429, 429, 429]);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    const thread = threadOf(fd.world, req.ts);
    expect(new Set(thread).size, 'no line posted twice').toBe(thread.length);
    const story = [/^:white_check_mark: Approved by <@U0LEAD> \(1 of 1\)\.$/, /^:memo: Committed /, /^:arrows_counterclockwise: Asked Argo CD to sync shop-staging/, /^:white_check_mark: shop-staging is synced/, new RegExp(`^:rocket: staging now runs \`${shortSha(next)}\`\\.$`)];
    expect(thread).toHaveLength(story.length);
    story.forEach((line, i) => expect(thread[i]).toMatch(line));
    expect(requests(fd.world)).toHaveLength(1);
    expect(lastRequest(fd.world)!.shown).toMatch(/succeeded|now runs/i);
    expect(fd.world.github.deployments('acme/worker').map((d) => [d.ref, d.statuses.map((s) => s.state)])).toEqual([[next, ['in_progress', 'success']]]);
  });
});

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
