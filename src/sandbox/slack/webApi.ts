// The Slack Web API methods the fake answers, over an in-memory workspace: messages, ephemerals, user groups, channels.
import type { SocketModeFake } from './socket.js';
import { INCIDENT_METHODS } from './incidentMethods.js';

/** Who the fake workspace says the bot is (auth.test) and where it lives. */
export const SANDBOX = {
  teamId: 'T0SANDBOX',
  teamDomain: 'flightdeck-sandbox',
  teamName: 'Flightdeck Sandbox',
  botUserId: 'U0FLIGHTDECK',
  botName: 'flightdeck',
  botId: 'B0FLIGHTDECK',
  appId: 'A0FLIGHTDECK',
} as const;

export const MAX_BLOCKS = 50;
export const MAX_TEXT = 40_000;

export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: any[];
  user?: string;
  updates: number;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: any[];
}

export interface Workspace {
  messages: FakeMessage[];
  ephemerals: FakeEphemeral[];
  usergroups: Map<string, string[]>;
  channels: Map<string, { id: string; name: string; members: Set<string> }>;
  /** last ts handed out, in microseconds, so every ts is unique and increasing */
  lastTsMicros: number;
  socket: SocketModeFake;
}

export type Args = Record<string, any>;
export type Answer = Record<string, unknown>;
type Method = (ws: Workspace, args: Args) => Answer;

const fail = (error: string, extra: Answer = {}): Answer => ({ ok: false, error, ...extra });

function nextTs(ws: Workspace): string {
  ws.lastTsMicros = Math.max(Date.now() * 1000, ws.lastTsMicros + 1);
  return `${Math.floor(ws.lastTsMicros / 1e6)}.${String(ws.lastTsMicros % 1e6).padStart(6, '0')}`;
}

/** The checks Slack makes on message content that are cheap to repeat: text or blocks present, limits. */
function contentError(args: Args, requireContent: boolean): string | null {
  const { text, blocks, attachments } = args;
  if (blocks !== undefined) {
    if (!Array.isArray(blocks) || blocks.length > MAX_BLOCKS) return 'invalid_blocks';
    if (blocks.some((b) => !b || typeof b !== 'object' || typeof b.type !== 'string')) return 'invalid_blocks';
  }
  if (typeof text === 'string' && text.length > MAX_TEXT) return 'msg_too_long';
  const empty = (text === undefined || text === '') && (!Array.isArray(blocks) || blocks.length === 0) && attachments === undefined;
  if (requireContent && empty) return 'no_text';
  return null;
}

function messageShape(m: FakeMessage): Answer {
  return {
    type: 'message',
    user: m.user,
    bot_id: SANDBOX.botId,
    app_id: SANDBOX.appId,
    team: SANDBOX.teamId,
    text: m.text,
    ts: m.ts,
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(m.blocks ? { blocks: m.blocks } : {}),
  };
}

const findMessage = (ws: Workspace, channel: string, ts: string): FakeMessage | undefined =>
  ws.messages.find((m) => m.channel === channel && m.ts === ts);

function channelId(ws: Workspace, raw: unknown): string | null {
  if (typeof raw !== 'string' || raw === '') return null;
  const byName = [...ws.channels.values()].find((c) => `#${c.name}` === raw || c.name === raw);
  return byName?.id ?? raw;
}

const postMessage: Method = (ws, args) => {
  const channel = channelId(ws, args.channel);
  if (!channel) return fail('channel_not_found');
  const bad = contentError(args, true);
  if (bad) return fail(bad);
  const message: FakeMessage = { channel, ts: nextTs(ws), text: String(args.text ?? ''), user: SANDBOX.botUserId, updates: 0 };
  if (args.thread_ts !== undefined && args.thread_ts !== '') message.thread_ts = String(args.thread_ts);
  if (Array.isArray(args.blocks)) message.blocks = args.blocks;
  ws.messages.push(message);
  return { ok: true, channel, ts: message.ts, message: messageShape(message) };
};

const update: Method = (ws, args) => {
  const channel = channelId(ws, args.channel);
  if (!channel) return fail('channel_not_found');
  const message = findMessage(ws, channel, String(args.ts ?? ''));
  if (!message) return fail('message_not_found');
  const bad = contentError(args, false);
  if (bad) return fail(bad);
  if (args.text !== undefined) message.text = String(args.text);
  if (Array.isArray(args.blocks)) message.blocks = args.blocks;
  message.updates += 1;
  return { ok: true, channel, ts: message.ts, text: message.text, message: messageShape(message) };
};

const postEphemeral: Method = (ws, args) => {
  const channel = channelId(ws, args.channel);
  if (!channel) return fail('channel_not_found');
  if (typeof args.user !== 'string' || args.user === '') return fail('user_not_in_channel');
  const bad = contentError(args, true);
  if (bad) return fail(bad);
  const eph: FakeEphemeral = { channel, user: args.user, text: String(args.text ?? '') };
  if (Array.isArray(args.blocks)) eph.blocks = args.blocks;
  ws.ephemerals.push(eph);
  return { ok: true, message_ts: nextTs(ws) };
};

const getPermalink: Method = (ws, args) => {
  const channel = channelId(ws, args.channel);
  if (!channel) return fail('channel_not_found');
  const message = findMessage(ws, channel, String(args.message_ts ?? ''));
  if (!message) return fail('message_not_found');
  const base = `https://${SANDBOX.teamDomain}.slack.com/archives/${channel}/p${message.ts.replace('.', '')}`;
  const permalink = message.thread_ts ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}` : base;
  return { ok: true, channel, permalink };
};

const usergroupUsers: Method = (ws, args) => {
  const users = ws.usergroups.get(String(args.usergroup ?? ''));
  return users ? { ok: true, users: [...users] } : fail('no_such_subteam');
};

const usersInfo: Method = (_ws, args) => {
  const id = String(args.user ?? '');
  if (!/^[UW][A-Z0-9]+$/.test(id)) return fail('user_not_found');
  const name = id.toLowerCase();
  const profile = { real_name: name, display_name: name, real_name_normalized: name, display_name_normalized: name };
  return { ok: true, user: { id, team_id: SANDBOX.teamId, name, real_name: name, deleted: false, is_bot: id === SANDBOX.botUserId, tz: 'Etc/UTC', profile } };
};

function channelShape(c: { id: string; name: string; members: Set<string> }): Answer {
  return { id: c.id, name: c.name, is_channel: true, is_private: false, is_member: c.members.has(SANDBOX.botUserId), num_members: c.members.size };
}

const conversationsCreate: Method = (ws, args) => {
  const name = String(args.name ?? '');
  if (!/^[a-z0-9_-]{1,80}$/.test(name)) return fail('invalid_name_specials');
  if ([...ws.channels.values()].some((c) => c.name === name)) return fail('name_taken');
  const id = `C${String(ws.channels.size + 1).padStart(8, '0')}`;
  const channel = { id, name, members: new Set([SANDBOX.botUserId]) };
  ws.channels.set(id, channel);
  return { ok: true, channel: { ...channelShape(channel), created: Math.floor(Date.now() / 1000), creator: SANDBOX.botUserId } };
};

function knownChannel(ws: Workspace, raw: unknown) {
  const id = channelId(ws, raw);
  if (!id) return null;
  let channel = ws.channels.get(id);
  if (!channel) {
    // Channels the fake never saw created are taken to exist (the sandbox does not seed them).
    channel = { id, name: id.toLowerCase(), members: new Set() };
    ws.channels.set(id, channel);
  }
  return channel;
}

const conversationsInvite: Method = (ws, args) => {
  const channel = knownChannel(ws, args.channel);
  if (!channel) return fail('channel_not_found');
  const users = String(args.users ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (users.length === 0) return fail('no_user');
  users.forEach((u) => channel.members.add(u));
  return { ok: true, channel: channelShape(channel) };
};

const conversationsJoin: Method = (ws, args) => {
  const channel = knownChannel(ws, args.channel);
  if (!channel) return fail('channel_not_found');
  const already = channel.members.has(SANDBOX.botUserId);
  channel.members.add(SANDBOX.botUserId);
  return { ok: true, channel: channelShape(channel), ...(already ? { warning: 'already_in_channel' } : {}) };
};

const authTest: Method = () => ({
  ok: true,
  url: `https://${SANDBOX.teamDomain}.slack.com/`,
  team: SANDBOX.teamName,
  user: SANDBOX.botName,
  team_id: SANDBOX.teamId,
  user_id: SANDBOX.botUserId,
  bot_id: SANDBOX.botId,
  is_enterprise_install: false,
});

/** Methods called with the bot token (xoxb-). */
export const BOT_METHODS: Record<string, Method> = {
  'auth.test': authTest,
  'chat.postMessage': postMessage,
  'chat.update': update,
  'chat.postEphemeral': postEphemeral,
  'chat.getPermalink': getPermalink,
  'usergroups.users.list': usergroupUsers,
  'users.info': usersInfo,
  'conversations.create': conversationsCreate,
  'conversations.invite': conversationsInvite,
  'conversations.join': conversationsJoin,
  ...INCIDENT_METHODS,
};

/** Methods called with the app-level token (xapp-). */
export const APP_METHODS: Record<string, Method> = {
  'apps.connections.open': (ws) => ({ ok: true, url: ws.socket.issueUrl() }),
};
