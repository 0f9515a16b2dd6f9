// The Slack guard on its own: app id and Enterprise Grid checks, and what reaches the next listener.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { slackGuard, type SlackGuardOptions } from '../../src/http/slackGuard.js';
import { createLogger } from '../../src/runtime/logger.js';
import { postToSlackEndpoint } from '../../src/sandbox/slack/requests.js';

const SECRET = 'guard-test-secret';
let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r));
  server = undefined;
});

async function guarded(opts: Partial<SlackGuardOptions>): Promise<{ url: string; passed: string[] }> {
  const passed: string[] = [];
  const guard = slackGuard({
    signingSecret: SECRET,
    workspace: async () => ({ teamId: 'T0OURS', enterpriseId: 'E0OURS' }),
    log: createLogger('silent'),
    next: (req, res) => {
      passed.push((req as unknown as { rawBody: Buffer }).rawBody.toString('utf8'));
      res.writeHead(200).end('handled');
    },
    ...opts,
  });
  server = createServer((req, res) => void guard(req, res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/slack/events`, passed };
}

const event = (fields: Record<string, unknown>): string => JSON.stringify({ type: 'event_callback', event: { type: 'app_mention' }, ...fields });

describe('slack guard', () => {
  it('passes our team and app, with the body intact for Bolt', async () => {
    const { url, passed } = await guarded({ appId: 'A0OURS' });
    const body = event({ team_id: 'T0OURS', api_app_id: 'A0OURS' });
    expect((await postToSlackEndpoint(url, SECRET, body)).status).toBe(200);
    expect(passed).toEqual([body]);
  });

  it('refuses another app when SLACK_APP_ID is set, and accepts any app when it is not', async () => {
    const strict = await guarded({ appId: 'A0OURS' });
    expect((await postToSlackEndpoint(strict.url, SECRET, event({ team_id: 'T0OURS', api_app_id: 'A0THEIRS' }))).status).toBe(403);
    expect(strict.passed).toHaveLength(0);
    await new Promise((r) => server?.close(r));
    const lax = await guarded({});
    expect((await postToSlackEndpoint(lax.url, SECRET, event({ team_id: 'T0OURS', api_app_id: 'A0THEIRS' }))).status).toBe(200);
  });

  it('accepts another workspace of our Enterprise Grid org, refuses other orgs and payloads naming no team', async () => {
    const { url, passed } = await guarded({});
    expect((await postToSlackEndpoint(url, SECRET, event({ team_id: 'T0SISTER', enterprise_id: 'E0OURS' }))).status).toBe(200);
    expect((await postToSlackEndpoint(url, SECRET, event({ team_id: 'T0SISTER', enterprise_id: 'E0OTHER' }))).status).toBe(403);
    expect((await postToSlackEndpoint(url, SECRET, event({}))).status).toBe(400);
    expect(passed).toHaveLength(1);
  });

  it('lets Slack URL verification through (it names no team) and answers 503 while the workspace is unknown', async () => {
    const { url, passed } = await guarded({ workspace: async () => Promise.reject(new Error('slack down')) });
    expect((await postToSlackEndpoint(url, SECRET, JSON.stringify({ type: 'url_verification', challenge: 'c' }))).status).toBe(200);
    expect((await postToSlackEndpoint(url, SECRET, event({ team_id: 'T0OURS' }))).status).toBe(503);
    expect(passed).toHaveLength(1);
  });
});
