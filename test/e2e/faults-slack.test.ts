// End to end with the production Slack retry policy: a 429 with Retry-After on the request message, a thread reply or the
// message's update is waited out and sent again, and every line of the story appears exactly once (also for an app versioned
// by commit, with GitHub Deployments on: each status once).
import { afterEach, describe, expect, it } from 'vitest';
import { RETRIES } from '../../src/adapters/slack/webApiPolicy.js';
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
