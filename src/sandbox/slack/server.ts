// A protocol-level fake of Slack on loopback (Web API, response_url, Socket Mode) for tests, the sandbox and benchmarks.
//
// How it may differ from slack.com (write new differences down here):
// - Only the methods in webApi.ts; anything else is HTTP 200 `{ok:false, error:'unknown_method'}`, checked before auth.
// - Tokens: no token is `not_authed`; a bot method with an app token (xapp-) or an app method with any other
//   token is `not_allowed_token_type`; a token other than the configured one is `invalid_auth`. With no token
//   configured any token of the right type passes. No scopes, no channel membership checks.
// - Channels need not exist; a post to any id succeeds (only a missing channel is `channel_not_found`).
//   `thread_ts` is stored as given, even when no such parent exists.
// - No rate limits unless a test asks with `failNext`; then 429 with `Retry-After` like Slack.
// - Transport failures (reset, hang, slow, lost answers after the call was applied) only when queued on `faults`
//   (../faults.ts); `slackFaults.rateLimited` is the same 429 as `failNext` with `ratelimited`.
// - response_url: a JSON body is recorded; `{ok:true}` back, 404 `used_url` after 5 uses, `expired_url`
//   after 30 minutes (Slack's text limits). `replace_original`/`delete_original` act on the message the URL
//   was made for, if any. Multipart (file upload) bodies are not parsed.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Faults } from '../faults.js';
import { createSocketModeFake, type SocketModeFake } from './socket.js';
import { APP_METHODS, BOT_METHODS, SANDBOX, type Answer, type Args, type FakeEphemeral, type FakeMessage, type Workspace } from './webApi.js';

export { SANDBOX, type FakeEphemeral, type FakeMessage, type SocketModeFake };

export interface FailureSpec {
  status?: number;
  error: string;
  /** seconds, for the Retry-After header (default 1 for ratelimited) */
  retryAfter?: number;
  /** how many of the next calls fail (default 1) */
  times?: number;
}

/** What changed in the fake: a Web API call that succeeded, or a body POSTed to a response_url. */
export type SlackChange = { kind: 'api'; method: string; args: Args; answer: Answer } | { kind: 'response'; url: string; body: any };

export interface SlackFake {
  /** e.g. http://127.0.0.1:PORT/api/ (SLACK_API_URL, WebClient `slackApiUrl`) */
  apiUrl: string;
  /** delay before every answer (Web API and response_url); mutable */
  latencyMs: number;
  /** every Web API call, failed ones too; `token` is left out of args */
  calls: Array<{ method: string; args: Record<string, any>; at: number }>;
  callsOf(method: string): Array<Record<string, any>>;
  /** current messages, oldest first: chat.postMessage creates, chat.update replaces text/blocks in place */
  messages(channel?: string): FakeMessage[];
  ephemerals(user?: string): FakeEphemeral[];
  /** a response_url on this server; optionally tied to a message so replace_original/delete_original act on it */
  responseUrl(forMessage?: { channel: string; ts: string }): string;
  /** everything POSTed to response URLs, in order */
  responses: Array<{ url: string; body: any }>;
  setUsergroup(id: string, users: string[]): void;
  /** channels the fake knows (created, or used by invite/join), by id */
  channels(): Array<{ id: string; name: string; members: string[] } & Record<string, unknown>>;
  /** user group id -> members */
  usergroups(): Record<string, string[]>;
  /** calls listener after every successful Web API call and every response_url post; returns the unsubscribe */
  onChange(listener: (change: SlackChange) => void): () => void;
  /** the next call(s) of a method fail: `ratelimited` is HTTP 429 + Retry-After, other errors HTTP `status` (default 200) */
  failNext(method: string, how: FailureSpec): void;
  /** queued transport failures (reset, hang, slow or lost answers, any status), matched by method and path (/api/chat.postMessage) */
  faults: Faults;
  socket: SocketModeFake;
  close(): Promise<void>;
}

export interface SlackFakeOptions {
  latencyMs?: number;
  botToken?: string;
  appToken?: string;
  usergroups?: Record<string, string[]>;
}

const RESPONSE_URL_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Form, JSON or query arguments, with JSON-in-a-string fields (blocks, attachments) decoded as Slack does. */
function parseArgs(req: IncomingMessage, raw: string, url: URL): Args {
  const args: Args = Object.fromEntries(url.searchParams);
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json') && raw) Object.assign(args, JSON.parse(raw));
  else if (raw && !type.startsWith('multipart/')) Object.assign(args, Object.fromEntries(new URLSearchParams(raw)));
  for (const field of JSON_FIELDS) {
    if (typeof args[field] !== 'string') continue;
    try {
      args[field] = JSON.parse(args[field]);
    } catch {
      args[field] = { unparsable: args[field] };
    }
  }
  return args;
}

function tokenOf(req: IncomingMessage, args: Args): string {
  const header = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return header ?? (typeof args.token === 'string' ? args.token : '');
}

function reply(res: ServerResponse, status: number, body: Answer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-slack-req-id': randomUUID(), ...headers });
  res.end(JSON.stringify(body));
}

export async function startSlackFake(opts: SlackFakeOptions = {}): Promise<SlackFake> {
  const failures = new Map<string, FailureSpec[]>();
  const listeners = new Set<(change: SlackChange) => void>();
  const notify = (change: SlackChange) => listeners.forEach((l) => l(change));
  const responseUrls = new Map<string, { uses: number; createdAt: number; message?: { channel: string; ts: string } }>();
  let origin = '';
  let responseCounter = 0;

  function authError(method: string, token: string): string | null {
    if (!token) return 'not_authed';
    const isApp = method in APP_METHODS;
    if (isApp !== token.startsWith('xapp-')) return 'not_allowed_token_type';
    const expected = isApp ? opts.appToken : opts.botToken;
    return expected !== undefined && token !== expected ? 'invalid_auth' : null;
  }

  async function webApi(req: IncomingMessage, res: ServerResponse, method: string, args: Args): Promise<void> {
    const token = tokenOf(req, args);
    delete args.token;
    fake.calls.push({ method, args, at: Date.now() });
    if (fake.latencyMs > 0) await sleep(fake.latencyMs);
    const queued = failures.get(method);
    const failure = queued?.shift();
    if (failure) {
      const rateLimited = failure.error === 'ratelimited';
      const headers: Record<string, string> = rateLimited || failure.retryAfter !== undefined ? { 'retry-after': String(failure.retryAfter ?? 1) } : {};
      return reply(res, failure.status ?? (rateLimited ? 429 : 200), { ok: false, error: failure.error }, headers);
    }
    const handler = BOT_METHODS[method] ?? APP_METHODS[method];
    if (!handler) return reply(res, 200, { ok: false, error: 'unknown_method', req_method: method });
    const denied = authError(method, token);
    if (denied) return reply(res, 200, { ok: false, error: denied });
    const answer = handler(workspace, args);
    reply(res, 200, answer);
    if (answer.ok === true) notify({ kind: 'api', method, args, answer });
  }

  async function responseUrlPost(res: ServerResponse, path: string, raw: string, type: string): Promise<void> {
    if (fake.latencyMs > 0) await sleep(fake.latencyMs);
    const entry = responseUrls.get(path);
    let body: any;
    try {
      body = type.startsWith('application/json') ? JSON.parse(raw) : JSON.parse(new URLSearchParams(raw).get('payload') ?? raw);
    } catch {
      return reply(res, 400, { ok: false, error: 'invalid_payload' });
    }
    if (!entry) return reply(res, 404, { ok: false, error: 'invalid_url' });
    if (Date.now() - entry.createdAt > RESPONSE_URL_TTL_MS) return reply(res, 404, { ok: false, error: 'expired_url' });
    entry.uses += 1;
    if (entry.uses > RESPONSE_URL_USES) return reply(res, 404, { ok: false, error: 'used_url' });
    // Recorded only once Slack would have taken it: a refused answer reached nobody.
    fake.responses.push({ url: origin + path, body });
    const target = entry.message && workspace.messages.find((m) => m.channel === entry.message!.channel && m.ts === entry.message!.ts);
    if (target && body?.delete_original === true) workspace.messages.splice(workspace.messages.indexOf(target), 1);
    else if (target && body?.replace_original === true) {
      target.text = String(body.text ?? '');
      if (Array.isArray(body.blocks)) target.blocks = body.blocks;
      else delete target.blocks;
      target.updates += 1;
    }
    reply(res, 200, { ok: true });
    notify({ kind: 'response', url: origin + path, body });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const serve = async (raw: string): Promise<void> => {
      const api = /^\/api\/([A-Za-z0-9_.]+)$/.exec(url.pathname);
      if (api && (req.method === 'POST' || req.method === 'GET')) {
        let args: Args;
        try {
          args = parseArgs(req, raw, url);
        } catch {
          return reply(res, 200, { ok: false, error: 'invalid_json' });
        }
        return webApi(req, res, api[1]!, args);
      }
      if (url.pathname.startsWith('/response/') && req.method === 'POST') return responseUrlPost(res, url.pathname, raw, req.headers['content-type'] ?? '');
      reply(res, 404, { ok: false, error: 'not_found' });
    };
    fake.faults
      .intercept(req, res)
      .then(async (outcome) => (outcome === 'handled' ? undefined : serve(await readBody(req))))
      .catch((err: unknown) => {
        if (!res.headersSent) reply(res, 500, { ok: false, error: 'fatal_error', detail: String(err) });
        else res.destroy();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const socket = createSocketModeFake(server, () => origin, SANDBOX.appId);
  const workspace: Workspace = {
    messages: [],
    ephemerals: [],
    usergroups: new Map(Object.entries(opts.usergroups ?? {})),
    channels: new Map(),
    lastTsMicros: 0,
    socket,
  };

  const fake: SlackFake = {
    apiUrl: `${origin}/api/`,
    latencyMs: opts.latencyMs ?? 0,
    calls: [],
    callsOf: (method) => fake.calls.filter((c) => c.method === method).map((c) => c.args),
    messages: (channel) => workspace.messages.filter((m) => channel === undefined || m.channel === channel).map((m) => ({ ...m })),
    ephemerals: (user) => workspace.ephemerals.filter((e) => user === undefined || e.user === user).map((e) => ({ ...e })),
    responseUrl(forMessage) {
      responseCounter += 1;
      const path = `/response/${responseCounter}/${randomUUID()}`;
      responseUrls.set(path, { uses: 0, createdAt: Date.now(), ...(forMessage ? { message: { ...forMessage } } : {}) });
      return origin + path;
    },
    responses: [],
    setUsergroup: (id, users) => void workspace.usergroups.set(id, [...users]),
    channels: () => [...workspace.channels.values()].map((c) => ({ ...c, members: [...c.members] })),
    usergroups: () => Object.fromEntries([...workspace.usergroups].map(([id, users]) => [id, [...users]])),
    onChange(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    faults: new Faults(),
    failNext(method, how) {
      const queue = failures.get(method) ?? [];
      for (let i = 0; i < (how.times ?? 1); i += 1) queue.push(how);
      failures.set(method, queue);
    },
    socket,
    async close() {
      fake.faults.clear();
      await socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
