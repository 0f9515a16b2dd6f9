// Which Slack failures a thread line is sent again for, after how long, and when it is given up.
import { describe, expect, it } from 'vitest';
import { LATER_GIVE_UP_MS, SlackThreadSink } from '../../src/adapters/slack/runSink.js';
import type { SlackChat } from '../../src/adapters/slack/chat.js';
import { laterWaitMs, LATER_FIRST_MS, LATER_MAX_MS } from '../../src/adapters/slack/webApiPolicy.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { createLogger } from '../../src/runtime/logger.js';

const platform = (error: string, extra: object = {}) => ({ code: 'slack_webapi_platform_error', data: { ok: false, error, ...extra } });
const http = (statusCode: number) => ({ code: 'slack_webapi_http_error', statusCode });

describe('laterWaitMs', () => {
  it('waits what Slack asked for a rate limit, at least the backoff', () => {
    expect(laterWaitMs(platform('ratelimited', { retry_after: 120 }), 0)).toBe(120_000);
    expect(laterWaitMs(platform('ratelimited', { retry_after: null }), 0)).toBe(LATER_FIRST_MS);
    expect(laterWaitMs(platform('ratelimited', { retry_after: 1 }), 2)).toBe(LATER_FIRST_MS * 4);
    expect(laterWaitMs({ code: 'slack_webapi_rate_limited_error', retryAfter: 30 }, 0)).toBe(30_000);
  });

  it('backs off, doubling up to a minute, for Slack or the network down', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => laterWaitMs(http(503), n))).toEqual([5_000, 10_000, 20_000, 40_000, LATER_MAX_MS, LATER_MAX_MS]);
    expect(laterWaitMs({ code: 'slack_webapi_request_error', original: new Error('ECONNREFUSED') }, 0)).toBe(LATER_FIRST_MS);
  });

  it('never sends again what Slack refused for a reason, or what may have been applied', () => {
    for (const err of [platform('not_in_channel'), platform('msg_too_long'), platform('outcome_unknown'), http(400), http(404), new Error('boom'), null]) {
      expect(laterWaitMs(err, 0)).toBeNull();
    }
  });
});

describe('SlackThreadSink', () => {
  const run = { runId: 'fd-0000000001', thread: { channel: 'C1', ts: '1.0' } };
  const event = { type: 'approved', by: 'U0LEAD', approvals: 1, required: 1 } as const;

  function sinkWith(post: () => Promise<string>, clock: ManualClock, shutdown = new AbortController()) {
    const chat = { postInThread: post } as unknown as SlackChat;
    return new SlackThreadSink(chat, () => ({ approvers: { users: [], groups: [] }, gitopsRepo: 'acme/gitops', checks: [] }), null, { clock, shutdown: shutdown.signal, log: createLogger('silent') });
  }

  /** Moves the clock on in steps, letting the sink's awaits run between them, until `done` says so. */
  async function advanceUntil(clock: ManualClock, done: () => boolean): Promise<number> {
    let moved = 0;
    while (!done() && moved <= 2 * LATER_GIVE_UP_MS) {
      for (let i = 0; i < 5; i++) await Promise.resolve();
      clock.advance(1_000);
      moved += 1_000;
    }
    return moved;
  }

  it('gives a line up after LATER_GIVE_UP_MS and passes the failure on', async () => {
    const clock = new ManualClock(0);
    let attempts = 0;
    const sink = sinkWith(async () => {
      attempts++;
      throw http(503);
    }, clock);
    let outcome: unknown = 'pending';
    sink.deliver(run, 'U0LEAD', event).then(
      () => (outcome = 'delivered'),
      (err: unknown) => (outcome = err),
    );
    const moved = await advanceUntil(clock, () => outcome !== 'pending');
    expect(outcome).toEqual(http(503));
    expect(moved).toBeGreaterThan(LATER_GIVE_UP_MS - LATER_MAX_MS);
    expect(moved).toBeLessThanOrEqual(LATER_GIVE_UP_MS + 5_000);
    // 5 + 10 + 20 + 40 s, then a minute each, within fifteen minutes
    expect(attempts).toBe(1 + 4 + Math.floor((LATER_GIVE_UP_MS - 75_000) / LATER_MAX_MS));
  });

  it('stops waiting at shutdown', async () => {
    const clock = new ManualClock(0);
    const shutdown = new AbortController();
    const sink = sinkWith(() => Promise.reject(platform('ratelimited', { retry_after: 600 })), clock, shutdown);
    const delivered = sink.deliver(run, 'U0LEAD', event);
    await Promise.resolve();
    shutdown.abort(new Error('shutdown'));
    await expect(delivered).rejects.toThrow('shutdown');
  });
});
