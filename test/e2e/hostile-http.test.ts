// End to end: hostile HTTP against the running app — wrong methods, junk, huge bodies, skewed clocks, replays and other
// workspaces are refused before any handler runs, and no request can make a log line larger than a few KB.
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, MAX_LINE_BYTES } from '../../src/runtime/logger.js';
import { postToSlackEndpoint, signSlackRequest, slashCommandBody } from '../../src/sandbox/slack/requests.js';
import { SIGNING_SECRET } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';

let fd: Running;
const lines: string[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  fd = await startFlightdeck({ options: { logger: createLogger('debug', sink) } });
});
afterAll(async () => {
  await fd?.close();
});

/** A raw request that reports the status even when the server closes the connection while the body is still being sent. */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<{ status: number; body: string }> {
  const url = new URL(path, fd.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server may answer and close before the client finished writing a huge body; the answer is what counts.
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

function help(user = 'U0DEV', teamId?: string): string {
  return slashCommandBody({ command: '/deploy', text: 'help', userId: user, channelId: 'C0DEPLOYS', responseUrl: fd.world.slack.responseUrl(), ...(teamId ? { teamId } : {}) });
}

const signedHeaders = (body: string, timestampSec?: number): Record<string, string> => ({
  'content-type': 'application/x-www-form-urlencoded',
  ...signSlackRequest(SIGNING_SECRET, body, timestampSec),
});

describe('hostile HTTP', () => {
  it('answers GET /slack/events with 405 and a short log line, not 500 and the caller headers', async () => {
    const probe = 'p'.repeat(6_000);
    const before = lines.length;
    const res = await raw('/slack/events', { headers: { 'x-probe': probe, cookie: probe } });
    expect(res.status).toBe(405);
    expect(lines.slice(before).join('\n')).not.toContain(probe);
  });

  it('refuses an unsigned 1 MB body with 413 before reading it all, and a large signed one too', async () => {
    const big = Buffer.alloc(1024 * 1024, 'a');
    expect((await raw('/slack/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big })).status).toBe(413);
    const padded = `${help()}&pad=${'x'.repeat(300 * 1024)}`;
    expect((await raw('/slack/events', { method: 'POST', headers: signedHeaders(padded), body: padded })).status).toBe(413);
  });

  it('answers signed junk with 400 and a bad signature with 401', async () => {
    for (const [type, body] of [['application/json', '{"unterminated'], ['application/json', '[1,2]'], ['text/plain', 'hello']] as const) {
      const res = await raw('/slack/events', { method: 'POST', headers: { ...signedHeaders(body), 'content-type': type }, body });
      expect(res.status, `${type} ${body}`).toBe(400);
    }
    const body = help();
    expect((await postToSlackEndpoint(`${fd.url}/slack/events`, SIGNING_SECRET, body, { badSignature: true })).status).toBe(401);
    expect((await raw('/slack/events', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body })).status).toBe(401);
  });

  it('refuses timestamps older than 5 minutes and more than a minute in the future; accepts small skew', async () => {
    const now = Math.floor(Date.now() / 1000);
    const url = `${fd.url}/slack/events`;
    expect((await postToSlackEndpoint(url, SIGNING_SECRET, help(), { timestampSec: now - 6 * 60 })).status).toBe(401);
    expect((await postToSlackEndpoint(url, SIGNING_SECRET, help(), { timestampSec: now + 10 * 60 })).status).toBe(401);
    const slightlyAhead = await postToSlackEndpoint(url, SIGNING_SECRET, help(), { timestampSec: now + 20 });
    expect(slightlyAhead.status).toBe(200);
    expect(slightlyAhead.body).toContain('/deploy');
  });

  it('handles a replayed signed request once: the second copy is acknowledged and dropped', async () => {
    const body = help();
    const headers = signedHeaders(body);
    const first = await raw('/slack/events', { method: 'POST', headers, body });
    const second = await raw('/slack/events', { method: 'POST', headers, body });
    expect(first.status).toBe(200);
    expect(first.body).toContain('/deploy');
    expect(second.status).toBe(200);
    expect(second.body).toBe('');
  });

  it('refuses a correctly signed payload from another workspace, and nothing changes', async () => {
    const lockBody = slashCommandBody({ command: '/deploy', text: 'lock staging hostile', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: fd.world.slack.responseUrl(), teamId: 'T0OTHER' });
    const res = await postToSlackEndpoint(`${fd.url}/slack/events`, SIGNING_SECRET, lockBody);
    expect(res.status).toBe(403);
    expect(await fd.app.store.listLocks()).toEqual([]);
    expect((await postToSlackEndpoint(`${fd.url}/slack/events`, SIGNING_SECRET, help('U0DEV', 'T0OTHER'))).body).not.toContain('/deploy');
  });

  it('answers Slack ssl_check without a signature and without acting on anything', async () => {
    const res = await raw('/slack/events', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'ssl_check=1&token=x&command=%2Fdeploy&text=lock+staging' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(await fd.app.store.listLocks()).toEqual([]);
  });

  it('asks Slack who the bot is once, not before each request (a round trip inside the 3 s ack)', async () => {
    expect((await postToSlackEndpoint(`${fd.url}/slack/events`, SIGNING_SECRET, help())).status).toBe(200);
    // by now the process asked twice at most: the guard for the workspace, Bolt's init for the bot's ids
    const before = fd.world.slack.callsOf('auth.test').length;
    expect(before).toBeLessThanOrEqual(2);
    const answers = await Promise.all(Array.from({ length: 5 }, () => postToSlackEndpoint(`${fd.url}/slack/events`, SIGNING_SECRET, help())));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(fd.world.slack.callsOf('auth.test').length).toBe(before);
  });

  it('never wrote a log line longer than the bound', () => {
    expect(lines.length).toBeGreaterThan(0);
    const longest = Math.max(...lines.map((l) => Buffer.byteLength(l)));
    expect(longest).toBeLessThanOrEqual(MAX_LINE_BYTES);
  });
});
