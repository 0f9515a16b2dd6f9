// Slack faults met by the real WebClient with Flightdeck's production policy: a short Retry-After is waited out, a long one
// fails at once with `ratelimited`, retries stop at the cap, a lost post is not repeated, a hung Slack times out.
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RETRY_TIME_MS, RETRIES, webApiOptions } from '../../src/adapters/slack/webApiPolicy.js';
import { startSlackFake, type SlackFake } from '../../src/sandbox/slack/server.js';

const BOT_TOKEN = 'xoxb-test-bot-token';
let fake: SlackFake;

function client(retries?: number): webApi.WebClient {
  return new webApi.WebClient(BOT_TOKEN, { ...webApiOptions(fake.apiUrl, retries === undefined ? {} : { retries }), logLevel: webApi.LogLevel.ERROR });
}

async function failure(promise: Promise<unknown>): Promise<{ code?: string; data?: { error?: string } }> {
  try {
    await promise;
  } catch (err) {
    return err as { code?: string; data?: { error?: string } };
  }
  throw new Error('expected the call to fail');
}

beforeEach(async () => {
  fake = await startSlackFake({ botToken: BOT_TOKEN });
});
afterEach(async () => {
  const left = fake.faults.pending();
  await fake.close();
  expect(left, 'every queued fault was hit').toBe(0);
});

describe('Slack faults with the production Web API policy', () => {
  it('waits out a short Retry-After and then posts once', async () => {
    fake.failNext('chat.postMessage', { error: 'ratelimited', retryAfter: 1 });
    const started = Date.now();
    const res = await client().chat.postMessage({ channel: 'C0DEPLOYS', text: 'hello' });
    expect(res.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(2);
    expect(fake.messages('C0DEPLOYS')).toHaveLength(1);
  });

  it('fails at once with ratelimited when Slack asks for a long wait, instead of pausing every call for it', async () => {
    fake.failNext('chat.postMessage', { error: 'ratelimited', retryAfter: 3_600 });
    const started = Date.now();
    const err = await failure(client().chat.postMessage({ channel: 'C0DEPLOYS', text: 'hello' }));
    expect(err.data?.error).toBe('ratelimited');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
    // the queue is not paused: the next call goes through at once
    expect((await client().chat.postMessage({ channel: 'C0DEPLOYS', text: 'again' })).ok).toBe(true);
  });

  it('stops retrying at the cap', async () => {
    fake.failNext('chat.update', { error: 'ratelimited', retryAfter: 0, times: 5 });
    const err = await failure(client(1).chat.update({ channel: 'C0DEPLOYS', ts: '1.000', text: 'x' }));
    expect(err).toBeInstanceOf(Error);
    expect(fake.callsOf('chat.update')).toHaveLength(2);
  });

  it('does not repeat a post whose answer was lost: one message, and the caller is told the outcome is unknown', async () => {
    fake.faults.inject({ method: 'POST', path: '/api/chat.postMessage', kind: 'lost' });
    const err = await failure(client().chat.postMessage({ channel: 'C0DEPLOYS', text: 'once' }));
    expect(err.data?.error).toBe('outcome_unknown');
    expect(fake.messages('C0DEPLOYS').map((m) => m.text)).toEqual(['once']);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(1);
  });

  it('retries an update (idempotent) after a reset', async () => {
    const { ts } = await client().chat.postMessage({ channel: 'C0DEPLOYS', text: 'v1' });
    fake.faults.inject({ method: 'POST', path: '/api/chat.update', kind: 'reset' });
    const res = await client(1).chat.update({ channel: 'C0DEPLOYS', ts: ts!, text: 'v2' });
    expect(res.ok).toBe(true);
    expect(fake.messages('C0DEPLOYS').map((m) => m.text)).toEqual(['v2']);
  });

  it('a hung Slack fails the call after the attempt timeout instead of holding it', async () => {
    fake.faults.inject({ method: 'POST', path: '/api/chat.update', kind: 'hang' });
    const quick = new webApi.WebClient(BOT_TOKEN, { ...webApiOptions(fake.apiUrl, { retries: 0 }), timeout: 300, logLevel: webApi.LogLevel.ERROR });
    const started = Date.now();
    await failure(quick.chat.update({ channel: 'C0DEPLOYS', ts: '1.000', text: 'x' }));
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('bounds the production retries to a few within about a minute', () => {
    const options = webApiOptions('http://slack.invalid/api/');
    expect(options.retryConfig).toMatchObject({ retries: RETRIES, maxRetryTime: MAX_RETRY_TIME_MS });
    expect(RETRIES).toBeLessThanOrEqual(3);
    expect(options.timeout).toBeGreaterThan(0);
  });
});
