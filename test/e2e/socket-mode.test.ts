// Socket Mode: with SLACK_APP_TOKEN set, commands arrive over a WebSocket (a local stand-in for Slack's endpoint).
import { afterEach, describe, expect, it } from 'vitest';
import { slashCommandPayload } from '../../src/sandbox/slack/requests.js';
import { eventually, startFlightdeck, type Running } from '../support/harness.js';
import { lastRequest } from '../support/slack-view.js';

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
});

describe('socket mode', () => {
  it('takes slash commands over the socket, acks them and posts the request', async () => {
    fd = await startFlightdeck({ env: { SLACK_APP_TOKEN: 'xapp-sandbox-app-token', SLACK_SIGNING_SECRET: '' } });
    await fd.world.slack.socket.connected();
    const ack = await fd.world.slack.socket.send('slash_commands', slashCommandPayload({ command: '/deploy', text: 'staging v3.0.0', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: fd.world.slack.responseUrl() }));
    expect(ack.envelope_id).toBeTruthy();
    const req = await eventually(() => lastRequest(fd!.world), { what: 'request over socket mode' });
    expect(req.buttons.map((b) => b.text).join(' ')).toMatch(/Approve/);
    // the bot's ids were asked for once, at start, not again for each event
    const asked = fd.world.slack.callsOf('auth.test').length;
    expect(asked).toBeLessThanOrEqual(1);
    for (let i = 0; i < 3; i++) await fd.world.slack.socket.send('slash_commands', slashCommandPayload({ command: '/deploy', text: 'help', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: fd.world.slack.responseUrl() }));
    expect(fd.world.slack.callsOf('auth.test').length).toBe(asked);
    // HTTP endpoint is not the way in with Socket Mode
    const res = await fetch(`${fd.url}/slack/events`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
  });
});
