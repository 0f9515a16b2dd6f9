// The Slack fakes and request builders against real Bolt: Socket Mode through the socket fake, signatures through HTTPReceiver.
import { App, HTTPReceiver, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { blockActionBody, blockActionPayload, postToSlackEndpoint, signSlackRequest, slashCommandBody, slashCommandPayload } from '../../src/sandbox/slack/requests.js';
import { startSlackFake, type SlackFake } from '../../src/sandbox/slack/server.js';

const BOT_TOKEN = 'xoxb-test-bot-token';
const APP_TOKEN = 'xapp-test-app-token';
const SECRET = 'test-signing-secret';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function fakeSlack(): Promise<SlackFake> {
  const fake = await startSlackFake({ botToken: BOT_TOKEN, appToken: APP_TOKEN });
  cleanups.push(() => fake.close());
  return fake;
}

const clientOptions = (fake: SlackFake) => ({ slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });

describe('Socket Mode fake with Bolt', () => {
  it('connects with hello, delivers a slash command and gets the ack back', async () => {
    const fake = await fakeSlack();
    // SocketModeReceiver builds its own WebClient for apps.connections.open from installerOptions.clientOptions,
    // not from App's clientOptions.
    const receiver = new SocketModeReceiver({ appToken: APP_TOKEN, logLevel: LogLevel.ERROR, installerOptions: { clientOptions: clientOptions(fake) } });
    const app = new App({ token: BOT_TOKEN, receiver, logLevel: LogLevel.ERROR, clientOptions: clientOptions(fake) });
    const seen: string[] = [];
    app.command('/deploy', async ({ command, ack, respond, client }) => {
      seen.push(`${command.user_id}:${command.text}`);
      await ack({ text: 'on it' });
      await respond({ text: 'queued' });
      await client.chat.postMessage({ channel: command.channel_id, text: `deploy ${command.text}` });
    });
    app.action('deploy_approve', async ({ ack, body }) => {
      await ack();
      seen.push(`click:${(body as any).actions[0].value}`);
    });
    await app.start();
    cleanups.push(() => app.stop());
    await fake.socket.connected();
    expect(fake.socket.connectionCount()).toBe(1);
    expect(fake.callsOf('apps.connections.open')).toHaveLength(1);

    const responseUrl = fake.responseUrl();
    const ack = await fake.socket.send('slash_commands', slashCommandPayload({ command: '/deploy', text: 'staging v3', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl }));
    expect(ack.envelope_id).toBe(fake.socket.envelopes[0]!.envelope_id);
    expect(ack.payload).toEqual({ text: 'on it' });
    expect(ack.ms).toBeLessThan(3000);

    const click = blockActionPayload({ actionId: 'deploy_approve', value: 'fd-1', userId: 'U0LEAD', channelId: 'C0DEPLOYS', messageTs: '1.000001', responseUrl: fake.responseUrl() });
    const clickAck = await fake.socket.send('interactive', click);
    expect(clickAck.payload ?? {}).toEqual({});

    await expect.poll(() => fake.messages('C0DEPLOYS').map((m) => m.text)).toEqual(['deploy staging v3']);
    expect(fake.responses).toEqual([{ url: responseUrl, body: expect.objectContaining({ text: 'queued' }) }]);
    expect(seen).toEqual(['U0DEV:staging v3', 'click:fd-1']);
  });

  it('reconnects when asked to by a disconnect message', async () => {
    const fake = await fakeSlack();
    // clientPingTimeout also sets Bolt's delay before reconnecting (5 s by default).
    const receiver = new SocketModeReceiver({ appToken: APP_TOKEN, clientPingTimeout: 200, logLevel: LogLevel.ERROR, installerOptions: { clientOptions: clientOptions(fake) } });
    const app = new App({ token: BOT_TOKEN, receiver, logLevel: LogLevel.ERROR, clientOptions: clientOptions(fake) });
    app.command('/ping', async ({ ack }) => ack('pong'));
    await app.start();
    cleanups.push(() => app.stop());
    fake.socket.disconnect();
    await expect.poll(() => fake.callsOf('apps.connections.open').length).toBe(2);
    await fake.socket.connected();
    const ack = await fake.socket.send('slash_commands', slashCommandPayload({ command: '/ping', text: '', userId: 'U1', channelId: 'C1', responseUrl: fake.responseUrl() }));
    expect(ack.payload).toEqual({ text: 'pong' });
  });

  it('rejects an envelope nobody acks, after the timeout', async () => {
    const fake = await fakeSlack();
    const receiver = new SocketModeReceiver({ appToken: APP_TOKEN, logLevel: LogLevel.ERROR, installerOptions: { clientOptions: clientOptions(fake) } });
    const app = new App({ token: BOT_TOKEN, receiver, logLevel: LogLevel.ERROR, clientOptions: clientOptions(fake) });
    app.command('/slow', async () => undefined);
    await app.start();
    cleanups.push(() => app.stop());
    const payload = slashCommandPayload({ command: '/slow', text: '', userId: 'U0DEV', channelId: 'C1', responseUrl: fake.responseUrl() });
    await expect(fake.socket.send('slash_commands', payload, { timeoutMs: 300 })).rejects.toThrow(/not acked within 300 ms/);
  });

  it('refuses apps.connections.open without the app token and sockets without a ticket', async () => {
    const fake = await fakeSlack();
    const res = await fetch(`${fake.apiUrl}apps.connections.open`, { method: 'POST', headers: { authorization: 'Bearer xapp-other' } });
    expect(await res.json()).toEqual({ ok: false, error: 'invalid_auth' });
    const status = await new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(fake.apiUrl.replace(/^http(.*)\/api\/$/, 'ws$1/link/?ticket=nope'));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => reject(new Error('connected without a ticket')));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
    await expect(fake.socket.send('slash_commands', {}, { timeoutMs: 50 })).rejects.toThrow(/no Socket Mode client/);
  });
});

describe('request builders against Bolt HTTPReceiver', () => {
  async function httpApp(fake: SlackFake): Promise<{ url: string; app: App; seen: string[] }> {
    const receiver = new HTTPReceiver({ signingSecret: SECRET, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
    const app = new App({ token: BOT_TOKEN, receiver, logLevel: LogLevel.ERROR, clientOptions: clientOptions(fake) });
    const seen: string[] = [];
    app.command('/deploy', async ({ command, ack }) => {
      seen.push(`${command.command} ${command.text} by ${command.user_id} in ${command.channel_id}`);
      await ack('got it');
    });
    app.action('deploy_approve', async ({ ack, action, body }) => {
      await ack();
      seen.push(`${(action as any).value} by ${body.user.id} on ${(body as any).message.ts}`);
    });
    // The same wiring as the adapter: our own server around receiver.requestListener, which throws for unknown paths.
    const server: Server = createServer((req, res) => {
      try {
        receiver.requestListener(req, res);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`, app, seen };
  }

  it('signs slash commands and clicks so Bolt accepts them', async () => {
    const fake = await fakeSlack();
    const { url, seen } = await httpApp(fake);
    const cmd = await postToSlackEndpoint(url, SECRET, slashCommandBody({ command: '/deploy', text: 'prod v1.2.3 & more', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: fake.responseUrl() }));
    expect(cmd).toMatchObject({ status: 200, body: 'got it' });
    const click = await postToSlackEndpoint(url, SECRET, blockActionBody({ actionId: 'deploy_approve', value: 'fd-9', userId: 'U0LEAD', channelId: 'C0DEPLOYS', messageTs: '1700000000.000100', responseUrl: fake.responseUrl() }));
    expect(click.status).toBe(200);
    expect(seen).toEqual(['/deploy prod v1.2.3 & more by U0DEV in C0DEPLOYS', 'fd-9 by U0LEAD on 1700000000.000100']);
    expect(fake.callsOf('auth.test').length).toBeGreaterThanOrEqual(1);
  });

  it('gets 401 for a bad signature or a stale timestamp', async () => {
    const fake = await fakeSlack();
    const { url, seen } = await httpApp(fake);
    const body = slashCommandBody({ command: '/deploy', text: 'dev v1', userId: 'U0DEV', channelId: 'C1', responseUrl: fake.responseUrl() });
    expect((await postToSlackEndpoint(url, SECRET, body, { badSignature: true })).status).toBe(401);
    expect((await postToSlackEndpoint(url, 'another-secret', body)).status).toBe(401);
    expect((await postToSlackEndpoint(url, SECRET, body, { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    expect((await postToSlackEndpoint(url, SECRET, body, { timestampSec: Math.floor(Date.now() / 1000) - 4 * 60 })).status).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it('builds the signature Slack documents', () => {
    // Slack's worked example (docs "Verifying requests from Slack").
    const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', body, 1531420618)).toEqual({
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    });
  });

  it('form-encodes exactly the payload objects', () => {
    const input = { command: '/deploy', text: 'a b/c', userId: 'U1', channelId: 'C1', responseUrl: 'http://x/r', triggerId: 't1' };
    const form = new URLSearchParams(slashCommandBody(input));
    expect(Object.fromEntries(form)).toEqual(slashCommandPayload(input));
    expect(slashCommandBody(input)).toContain('command=%2Fdeploy');
    const click = { actionId: 'a', value: 'v', userId: 'U1', channelId: 'C1', messageTs: '1.2', responseUrl: 'http://x/r', triggerId: 't' };
    const parsed = JSON.parse(new URLSearchParams(blockActionBody(click)).get('payload')!);
    expect(parsed).toMatchObject({ type: 'block_actions', container: { type: 'message', message_ts: '1.2', channel_id: 'C1' }, actions: [{ action_id: 'a', value: 'v', type: 'button' }] });
  });
});
