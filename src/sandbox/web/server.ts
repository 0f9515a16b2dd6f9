// The sandbox page's server: the Slack-like page and its API (state, live changes, commands, clicks, modals), and a
// pass-through to Flightdeck for everything else, so one port serves the page and the bot's own endpoints.
//
// Why a server beside Flightdeck and not routes inside it: the bot runs exactly as in production (same app, its
// own port); this server plays the part Slack plays — it shows what the bot sent and signs what people do.
import { readFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import type { SlackFake } from '../slack/server.js';
import { Conversation, type PageMessage } from './conversation.js';
import { sendClick, sendCommand, sendSubmission, type Target } from './interactions.js';
import type { Person } from './people.js';
import { staticRoot } from './staticRoot.js';

export interface PageServerOptions {
  slack: SlackFake;
  botUser: string;
  /** Flightdeck's base URL, e.g. http://127.0.0.1:PORT */
  flightdeckUrl: string;
  signingSecret: string;
  people: Person[];
  /** user group id -> handle, for mentions */
  groups: Record<string, string>;
  /** channel id -> name for the channels the config names (#deploys, #incidents) */
  channels: Record<string, string>;
  workspace: string;
}

export interface PageServer {
  url: string;
  server: Server;
  conversation: Conversation;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

export async function startPageServer(opts: PageServerOptions, port: number, host = '127.0.0.1'): Promise<PageServer> {
  const conversation = new Conversation(opts.slack, opts.botUser);
  const clients = new Set<ServerResponse>();
  let pending: NodeJS.Timeout | null = null;
  // Changes come in bursts (a post, then its update); one "changed" per 30 ms is enough for the page to refetch.
  const changed = () => {
    pending ??= setTimeout(() => {
      pending = null;
      for (const client of clients) client.write('event: change\ndata: {}\n\n');
    }, 30);
  };
  const unsubscribe = opts.slack.onChange((change) => {
    conversation.apply(change);
    changed();
  });
  const channelName = (id: string) => opts.channels[id] ?? opts.slack.channels().find((c) => c.id === id)?.name ?? id.toLowerCase();
  const target: Target = { eventsUrl: `${opts.flightdeckUrl}/slack/events`, signingSecret: opts.signingSecret, slack: opts.slack, conversation, channelName };
  const root = await staticRoot();

  const state = () => {
    const fromFake: PageMessage[] = opts.slack.messages().map((m) => ({
      id: `${m.channel}-${m.ts}`,
      channel: m.channel,
      ts: m.ts,
      ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
      from: m.user ?? opts.botUser,
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      edited: m.updates > 0,
    }));
    const messages = [...fromFake, ...conversation.notes].sort((a, b) => Number(a.ts) - Number(b.ts));
    const ids = new Set([...Object.keys(opts.channels), ...opts.slack.channels().map((c) => c.id), ...messages.map((m) => m.channel)]);
    const channels = [...ids].map((id) => ({ id, name: channelName(id), topic: conversation.topics.get(id) ?? '' }));
    return { workspace: opts.workspace, botUser: opts.botUser, people: opts.people, groups: opts.groups, channels, messages, modals: conversation.modals };
  };

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === 'state') return json(res, 200, state());
    if (path === 'events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write('event: change\ndata: {}\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (req.method !== 'POST') return json(res, 405, { error: 'POST only' });
    const body = JSON.parse((await readBody(req)) || '{}') as Record<string, any>;
    if (path === 'command') {
      if (typeof body.text !== 'string' || !body.text.startsWith('/')) return json(res, 400, { error: 'a slash command starts with /' });
      const status = await sendCommand(target, String(body.user), String(body.channel), body.text);
      changed();
      return json(res, 200, { status });
    }
    if (path === 'click') {
      const status = await sendClick(target, { user: String(body.user), channel: String(body.channel), messageTs: body.messageTs, noteId: body.noteId, actionId: String(body.actionId), blockId: body.blockId, value: body.value, text: body.text });
      return json(res, 200, { status });
    }
    const modal = conversation.modals.find((m) => m.id === body.modalId);
    if (!modal) return json(res, 404, { error: 'no such modal' });
    if (path === 'submit') await sendSubmission(target, modal, body.values ?? {});
    else if (path === 'close') conversation.closeModal(modal.id);
    else return json(res, 404, { error: 'unknown' });
    changed();
    return json(res, 200, {});
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const handle = async () => {
      if (url.pathname === '/' || url.pathname === '/sandbox' || url.pathname === '/sandbox/') return file(res, join(root, 'index.html'));
      const asset = /^\/sandbox\/assets\/([a-z]+\.(?:js|css|svg))$/.exec(url.pathname);
      if (asset) return file(res, join(root, asset[1]!));
      const call = /^\/sandbox\/api\/([a-z]+)$/.exec(url.pathname);
      if (call) return api(req, res, call[1]!);
      return proxy(req, res, opts.flightdeckUrl);
    };
    handle().catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${bound}`,
    server,
    conversation,
    async close() {
      unsubscribe();
      if (pending) clearTimeout(pending);
      for (const client of clients) client.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function file(res: ServerResponse, path: string): Promise<void> {
  const content = await readFile(path);
  res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
  res.end(content);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Everything that is not the page goes to Flightdeck unchanged (/slack/events, /healthz, /metrics, the Flagger gates). */
function proxy(req: IncomingMessage, res: ServerResponse, base: string): void {
  const upstream = request(new URL(req.url ?? '/', base), { method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', (err) => json(res, 502, { error: `Flightdeck did not answer: ${err.message}` }));
  req.pipe(upstream);
}
