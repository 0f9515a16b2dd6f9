// The Slack Web API fake, exercised by the real @slack/web-api WebClient (through Bolt's re-export).
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX, startSlackFake, type SlackFake } from '../../src/sandbox/slack/server.js';

const BOT_TOKEN = 'xoxb-test-bot-token';
let fake: SlackFake;

function client(token = BOT_TOKEN, opts: { rejectRateLimitedCalls?: boolean } = {}): webApi.WebClient {
  return new webApi.WebClient(token, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, logLevel: webApi.LogLevel.ERROR, ...opts });
}

beforeEach(async () => {
  fake = await startSlackFake({ botToken: BOT_TOKEN, usergroups: { S0DEVS: ['U0DEV', 'U0LEAD'] } });
});
afterEach(async () => {
  await fake.close();
});

describe('Slack Web API fake', () => {
  it('answers auth.test with the bot identity Bolt needs', async () => {
    const res = await client().auth.test();
    expect(res).toMatchObject({ ok: true, user_id: SANDBOX.botUserId, bot_id: SANDBOX.botId, team_id: SANDBOX.teamId });
    expect(res.url).toMatch(/^https:\/\//);
  });

  it('records posts, applies updates in place and keeps thread replies apart', async () => {
    const web = client();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*deploy* v1' } }];
    const posted = await web.chat.postMessage({ channel: 'C0DEPLOYS', text: 'deploy v1', blocks });
    expect(posted).toMatchObject({ ok: true, channel: 'C0DEPLOYS', message: { text: 'deploy v1', bot_id: SANDBOX.botId } });
    const reply = await web.chat.postMessage({ channel: 'C0DEPLOYS', text: 'started', thread_ts: posted.ts! });
    expect(Number(reply.ts)).toBeGreaterThan(Number(posted.ts));

    const updated = await web.chat.update({ channel: 'C0DEPLOYS', ts: posted.ts!, text: 'deploy v1: approved', blocks: [{ type: 'divider' }] });
    expect(updated).toMatchObject({ ok: true, ts: posted.ts, text: 'deploy v1: approved' });

    const messages = fake.messages('C0DEPLOYS');
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ ts: posted.ts, text: 'deploy v1: approved', blocks: [{ type: 'divider' }], updates: 1, user: SANDBOX.botUserId });
    expect(messages[1]).toMatchObject({ thread_ts: posted.ts, text: 'started', updates: 0 });
    expect(fake.messages('C0OTHER')).toEqual([]);
    // form-encoded blocks arrive parsed in the record
    expect(fake.callsOf('chat.postMessage')[0]).toMatchObject({ channel: 'C0DEPLOYS', blocks });
    expect(fake.callsOf('chat.postMessage')[0]).not.toHaveProperty('token');
  });

  it('takes JSON bodies with a bearer token, as Slack does', async () => {
    const blocks = [{ type: 'section', text: { type: 'plain_text', text: 'hi' } }];
    const res = await fetch(`${fake.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C1', text: 'hi', blocks }),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C1' });
    expect(fake.messages('C1')[0]).toMatchObject({ text: 'hi', blocks });
    const broken = await fetch(`${fake.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/json' }, body: '{' });
    expect(await broken.json()).toEqual({ ok: false, error: 'invalid_json' });
  });

  it('hands out unique, increasing ts values', async () => {
    const web = client();
    const ts = await Promise.all(Array.from({ length: 20 }, (_, i) => web.chat.postMessage({ channel: 'C1', text: `m${i}` }).then((r) => r.ts!)));
    expect(new Set(ts).size).toBe(20);
    const sorted = fake.messages('C1').map((m) => Number(m.ts));
    expect([...sorted].sort((a, b) => a - b)).toEqual(sorted);
  });

  it('records ephemerals per user and gives permalinks', async () => {
    const web = client();
    const eph = await web.chat.postEphemeral({ channel: 'C0DEPLOYS', user: 'U0DEV', text: 'only you' });
    expect(eph.ok).toBe(true);
    expect(eph.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(fake.ephemerals('U0DEV')).toEqual([{ channel: 'C0DEPLOYS', user: 'U0DEV', text: 'only you' }]);
    expect(fake.ephemerals('U0LEAD')).toEqual([]);
    expect(fake.messages()).toEqual([]);

    const posted = await web.chat.postMessage({ channel: 'C0DEPLOYS', text: 'x' });
    const link = await web.chat.getPermalink({ channel: 'C0DEPLOYS', message_ts: posted.ts! });
    expect(link.permalink).toContain(`/archives/C0DEPLOYS/p${posted.ts!.replace('.', '')}`);
  });

  it('lists user group members and knows users', async () => {
    const web = client();
    expect((await web.usergroups.users.list({ usergroup: 'S0DEVS' })).users).toEqual(['U0DEV', 'U0LEAD']);
    fake.setUsergroup('S0NEW', ['U0X']);
    expect((await web.usergroups.users.list({ usergroup: 'S0NEW' })).users).toEqual(['U0X']);
    await expect(web.usergroups.users.list({ usergroup: 'S0NONE' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
    expect((await web.users.info({ user: 'U0DEV' })).user).toMatchObject({ id: 'U0DEV', name: 'u0dev' });
  });

  it('creates, joins and invites to conversations', async () => {
    const web = client();
    const created = await web.conversations.create({ name: 'inc-42' });
    expect(created.channel).toMatchObject({ name: 'inc-42', is_member: true });
    await expect(web.conversations.create({ name: 'inc-42' })).rejects.toMatchObject({ data: { error: 'name_taken' } });
    expect((await web.conversations.invite({ channel: created.channel!.id!, users: 'U0DEV,U0LEAD' })).channel).toMatchObject({ num_members: 3 });
    expect((await web.conversations.join({ channel: 'C0ELSE' })).ok).toBe(true);
  });

  it('validates messages like Slack where it is cheap', async () => {
    const web = client();
    await expect(web.chat.postMessage({ channel: '', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_platform_error', data: { error: 'channel_not_found' } });
    const blocks = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    await expect(web.chat.postMessage({ channel: 'C1', text: 'x', blocks })).rejects.toMatchObject({ data: { error: 'invalid_blocks' } });
    await expect(web.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) })).rejects.toMatchObject({ data: { error: 'msg_too_long' } });
    await expect(web.chat.postMessage({ channel: 'C1', text: '' })).rejects.toMatchObject({ data: { error: 'no_text' } });
    await expect(web.chat.update({ channel: 'C1', ts: '1.000001', text: 'x' })).rejects.toMatchObject({ data: { error: 'message_not_found' } });
    expect(fake.messages()).toEqual([]);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(4);
  });

  it('rejects missing, wrong and wrong-type tokens', async () => {
    await expect(client('xoxb-wrong').chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    await expect(client('').auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });
    await expect(client('xapp-1').chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    await expect(client().apps.connections.open({})).rejects.toMatchObject({ data: { error: 'not_allowed_token_type' } });
    expect(fake.messages()).toEqual([]);
  });

  it('answers unknown methods with unknown_method on HTTP 200', async () => {
    await expect(client().apiCall('chat.frobnicate', { channel: 'C1' })).rejects.toMatchObject({ data: { ok: false, error: 'unknown_method' } });
    const raw = await fetch(`${fake.apiUrl}chat.frobnicate`, { method: 'POST' });
    expect(raw.status).toBe(200);
  });

  it('rate limits on request with 429 and Retry-After', async () => {
    fake.failNext('chat.postMessage', { error: 'ratelimited', retryAfter: 7 });
    const raw = await fetch(`${fake.apiUrl}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${BOT_TOKEN}` }, body: new URLSearchParams({ channel: 'C1', text: 'x' }) });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('7');
    expect(await raw.json()).toEqual({ ok: false, error: 'ratelimited' });

    fake.failNext('chat.postMessage', { error: 'ratelimited', retryAfter: 3 });
    await expect(client(BOT_TOKEN, { rejectRateLimitedCalls: true }).chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 3 });
    // only the next call failed
    expect((await client().chat.postMessage({ channel: 'C1', text: 'x' })).ok).toBe(true);
    expect(fake.messages('C1')).toHaveLength(1);
  });

  it('fails the next calls with a Slack error code when asked', async () => {
    fake.failNext('chat.update', { error: 'internal_error', times: 2 });
    const web = client();
    const posted = await web.chat.postMessage({ channel: 'C1', text: 'a' });
    for (let i = 0; i < 2; i += 1) await expect(web.chat.update({ channel: 'C1', ts: posted.ts!, text: 'b' })).rejects.toMatchObject({ data: { error: 'internal_error' } });
    await web.chat.update({ channel: 'C1', ts: posted.ts!, text: 'b' });
    expect(fake.messages('C1')[0]).toMatchObject({ text: 'b', updates: 1 });
  });

  it('records response_url posts and replaces the original message when asked', async () => {
    const posted = await client().chat.postMessage({ channel: 'C1', text: 'request' });
    const url = fake.responseUrl({ channel: 'C1', ts: posted.ts! });
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ text: 'working on it' })).status).toBe(200);
    expect((await post({ replace_original: true, text: 'done' })).status).toBe(200);
    expect(fake.responses.map((r) => r.body.text)).toEqual(['working on it', 'done']);
    expect(fake.responses[0]!.url).toBe(url);
    expect(fake.messages('C1')[0]).toMatchObject({ text: 'done', updates: 1 });
    for (let i = 0; i < 3; i += 1) await post({ text: `more ${i}` });
    const sixth = await post({ text: 'too many' });
    expect(sixth.status).toBe(404);
    expect(await sixth.json()).toMatchObject({ error: 'used_url' });
  });

  it('adds latency to every answer', async () => {
    fake.latencyMs = 80;
    const started = Date.now();
    await client().auth.test();
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });
});
