// Builds and sends requests the way Slack sends them to an app: slash commands and button clicks, signed, over HTTP or as Socket Mode payloads.
import { createHmac, randomBytes } from 'node:crypto';
import { SANDBOX } from './webApi.js';

export interface SlashCommandInput {
  command: string;
  text: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  responseUrl: string;
  triggerId?: string;
  teamId?: string;
}

export interface BlockActionInput {
  actionId: string;
  value: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  messageTs: string;
  responseUrl: string;
  blockId?: string;
  /** the button's label */
  text?: string;
  /** the message the button sits in (Slack sends it whole) */
  messageText?: string;
  messageBlocks?: any[];
  triggerId?: string;
  teamId?: string;
}

/** Slack's request signature: v0=hex(HMAC-SHA256(secret, "v0:<ts>:<body>")). */
export function signSlackRequest(secret: string, body: string, timestampSec = Math.floor(Date.now() / 1000)): { 'x-slack-signature': string; 'x-slack-request-timestamp': string } {
  const signature = createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(timestampSec) };
}

function triggerId(): string {
  return `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString('hex')}`;
}

/** The fields of a slash command, in the order Slack sends them (HTTP form fields, or the Socket Mode payload). */
export function slashCommandPayload(input: SlashCommandInput): Record<string, string> {
  return {
    token: 'sandbox-verification-token',
    team_id: input.teamId ?? SANDBOX.teamId,
    team_domain: SANDBOX.teamDomain,
    channel_id: input.channelId,
    channel_name: input.channelName ?? input.channelId.toLowerCase(),
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: input.command,
    text: input.text,
    api_app_id: SANDBOX.appId,
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? triggerId(),
  };
}

/** application/x-www-form-urlencoded, as Slack posts slash commands. */
export function slashCommandBody(input: SlashCommandInput): string {
  return new URLSearchParams(slashCommandPayload(input)).toString();
}

/** A `block_actions` payload for one button click in a message. */
export function blockActionPayload(input: BlockActionInput): Record<string, any> {
  const teamId = input.teamId ?? SANDBOX.teamId;
  const userName = input.userName ?? input.userId.toLowerCase();
  const blockId = input.blockId ?? 'actions';
  const nowSec = (Date.now() / 1000).toFixed(6);
  return {
    type: 'block_actions',
    user: { id: input.userId, username: userName, name: userName, team_id: teamId },
    api_app_id: SANDBOX.appId,
    token: 'sandbox-verification-token',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channelId, is_ephemeral: false },
    trigger_id: input.triggerId ?? triggerId(),
    team: { id: teamId, domain: SANDBOX.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: input.channelName ?? input.channelId.toLowerCase() },
    message: {
      type: 'message',
      user: SANDBOX.botUserId,
      bot_id: SANDBOX.botId,
      app_id: SANDBOX.appId,
      team: teamId,
      ts: input.messageTs,
      text: input.messageText ?? '',
      blocks: input.messageBlocks ?? [],
    },
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [
      {
        action_id: input.actionId,
        block_id: blockId,
        text: { type: 'plain_text', text: input.text ?? input.actionId, emoji: true },
        value: input.value,
        type: 'button',
        action_ts: nowSec,
      },
    ],
  };
}

/** application/x-www-form-urlencoded `payload=<json>`, as Slack posts interactions. */
export function blockActionBody(input: BlockActionInput): string {
  return new URLSearchParams({ payload: JSON.stringify(blockActionPayload(input)) }).toString();
}

/**
 * POSTs a body to an app's Slack endpoint, signed as Slack signs it. `badSignature` signs with the wrong secret;
 * `retryNum` adds Slack's retry headers; JSON bodies (Events API) get application/json unless told otherwise.
 */
export async function postToSlackEndpoint(
  url: string,
  secret: string,
  body: string,
  opts: { contentType?: string; timestampSec?: number; retryNum?: number; badSignature?: boolean } = {},
): Promise<{ status: number; body: string; ms: number }> {
  const contentType = opts.contentType ?? (body.trimStart().startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded');
  const headers: Record<string, string> = {
    'content-type': contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...signSlackRequest(opts.badSignature ? `${secret}-wrong` : secret, body, opts.timestampSec),
  };
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started };
}
