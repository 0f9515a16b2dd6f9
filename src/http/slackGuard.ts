// Stands in front of Bolt's listener for POST /slack/events: method, size, signature, clock skew, replays and workspace are checked
// before Bolt sees the request, so a hostile request costs a small read and a short log line.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from '../runtime/logger.js';
import { BodyTooLarge, readBody, refuse } from './body.js';
import { slackWords } from '../adapters/slack/mrkdwn.js';
import { wordProblem } from '../wording/problems.js';

/** Slack's payloads are a few KB; Bolt's default would buffer 4 MB before checking the signature. */
export const SLACK_BODY_LIMIT = 256 * 1024;
/** Slack's replay window (verify-request.ts in bolt-js): older timestamps are refused. */
export const MAX_AGE_SECONDS = 5 * 60;
/** A timestamp this far ahead of our clock is refused too: a signature made for the future would outlive the window. */
export const MAX_FUTURE_SECONDS = 60;

/** The workspace the bot token belongs to (auth.test). */
export interface Workspace {
  teamId: string;
  enterpriseId?: string;
}

export interface SlackGuardOptions {
  signingSecret: string;
  /** handles a request that passed every check (Bolt's listener; the body is handed over as `rawBody`) */
  next: RequestListener;
  /** who the bot token belongs to; asked once, then remembered */
  workspace: () => Promise<Workspace>;
  /** when set, payloads must carry this api_app_id */
  appId?: string;
  /** true the first time an id is seen (the store's seen-id table); replays of a signature are acked and dropped */
  firstSeen?: (id: string, at: number) => Promise<boolean>;
  log: Logger;
  now?: () => number;
  bodyLimit?: number;
}

type Verdict = { ok: true } | { ok: false; status: number; reason: string };

/** A listener for POST /slack/events that hands only signed, fresh, first-seen requests of our workspace to `next`. */
export function slackGuard(opts: SlackGuardOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ component: 'slack-guard' });
  let workspace: Promise<Workspace> | null = null;
  const knownWorkspace = (): Promise<Workspace> => {
    workspace ??= opts.workspace().catch((err: unknown) => {
      workspace = null;
      throw err;
    });
    return workspace;
  };

  return async (req, res) => {
    if (req.method !== 'POST') return refuse(res, 405, 'method not allowed: Slack POSTs to this path', { allow: 'POST' });
    let raw: Buffer;
    try {
      raw = await readBody(req, opts.bodyLimit ?? SLACK_BODY_LIMIT);
    } catch (err) {
      if (err instanceof BodyTooLarge) return refuse(res, 413, err.message);
      throw err;
    }
    const text = raw.toString('utf8');
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    // Slack checks the certificate with an unsigned ssl_check; it carries nothing to act on.
    if (type === 'application/x-www-form-urlencoded' && new URLSearchParams(text).get('ssl_check') === '1') {
      res.writeHead(200).end();
      return;
    }
    const signed = verifySignature(req, text, opts.signingSecret, now());
    if (!signed.ok) return reject(res, signed, log);
    const payload = parsePayload(type, text);
    if (!payload) return reject(res, { ok: false, status: 400, reason: 'body is not a Slack payload (form or JSON object)' }, log);
    const ours = await fromOurWorkspace(payload, knownWorkspace, opts.appId).catch((err: unknown) => {
      log.warn({ err }, 'cannot tell which workspace the bot token belongs to (auth.test failed)');
      return { ok: false, status: 503, reason: 'workspace unknown' } as Verdict;
    });
    if (!ours.ok) return reject(res, ours, log);
    const signature = String(req.headers['x-slack-signature']);
    let first = true;
    try {
      first = opts.firstSeen ? await opts.firstSeen(`slack-signature:${signature}`, now()) : true;
    } catch (err) {
      // Nothing can be recorded: act on nothing, and say so to the person rather than let Slack show a bare failure.
      log.error({ err }, 'the store does not answer; Slack request not handled');
      return storeDown(res, payload, log);
    }
    if (!first) {
      log.info({ timestamp: req.headers['x-slack-request-timestamp'] }, 'replayed Slack request acknowledged and dropped');
      res.writeHead(200).end();
      return;
    }
    // Bolt reads `rawBody` instead of the stream when it is there (HTTPModuleFunctions.bufferIncomingMessage).
    (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
    req.headers['content-type'] = type;
    opts.next(req, res);
  };
}

const STORE_DOWN = wordProblem({ code: 'store-unavailable' }, slackWords);

/**
 * Answers a request that cannot be recorded: a slash command with a private reply in the ack, a button click with 200
 * and a private reply to its response_url; anything else (a modal submission) with 503.
 */
function storeDown(res: ServerResponse, payload: Record<string, unknown>, log: Logger): void {
  if (typeof payload.command === 'string') {
    const body = JSON.stringify({ response_type: 'ephemeral', text: STORE_DOWN });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
    return;
  }
  const responseUrl = wholeString(payload.response_url);
  if (payload.type === 'block_actions' && responseUrl) {
    res.writeHead(200).end();
    const reply = JSON.stringify({ response_type: 'ephemeral', replace_original: false, text: STORE_DOWN });
    void fetch(responseUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: reply, signal: AbortSignal.timeout(10_000) }).catch((err: unknown) => log.warn({ err }, 'could not tell the person the store is down'));
    return;
  }
  refuse(res, 503, 'the store does not answer');
}

function reject(res: ServerResponse, verdict: Extract<Verdict, { ok: false }>, log: Logger): void {
  log.warn({ status: verdict.status, reason: verdict.reason }, 'Slack request refused');
  refuse(res, verdict.status, verdict.reason);
}

/** Slack's v0 signature over "v0:<timestamp>:<body>", with the timestamp inside [now - 5 min, now + 1 min]. */
export function verifySignature(req: IncomingMessage, body: string, secret: string, nowMs: number): Verdict {
  const signature = req.headers['x-slack-signature'];
  const stamp = req.headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof stamp !== 'string') return { ok: false, status: 401, reason: 'missing Slack signature headers' };
  if (!/^\d{1,12}$/.test(stamp)) return { ok: false, status: 401, reason: 'x-slack-request-timestamp is not a Unix time' };
  const age = Math.floor(nowMs / 1000) - Number(stamp);
  if (age > MAX_AGE_SECONDS) return { ok: false, status: 401, reason: `request timestamp is ${age}s old (more than ${MAX_AGE_SECONDS}s)` };
  if (-age > MAX_FUTURE_SECONDS) return { ok: false, status: 401, reason: `request timestamp is ${-age}s in the future (more than ${MAX_FUTURE_SECONDS}s)` };
  const expected = Buffer.from(`v0=${createHmac('sha256', secret).update(`v0:${stamp}:${body}`).digest('hex')}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, status: 401, reason: 'signature mismatch' };
  return { ok: true };
}

/** Form fields (with `payload` JSON for interactions) or a JSON object; null for anything else. */
export function parsePayload(type: string, text: string): Record<string, unknown> | null {
  try {
    if (type === 'application/x-www-form-urlencoded') {
      const form = new URLSearchParams(text);
      const inner = form.get('payload');
      if (inner === null) return Object.fromEntries(form);
      const parsed: unknown = JSON.parse(inner);
      return isObject(parsed) ? parsed : null;
    }
    if (type === 'application/json') {
      const parsed: unknown = JSON.parse(text);
      return isObject(parsed) ? parsed : null;
    }
  } catch {
    return null;
  }
  return null;
}

/** The team (or Enterprise Grid org) and app a payload names must be the bot token's. */
async function fromOurWorkspace(payload: Record<string, unknown>, workspace: () => Promise<Workspace>, appId: string | undefined): Promise<Verdict> {
  // Slack's URL check when the request URL is saved carries no team; Bolt answers its challenge.
  if (payload.type === 'url_verification') return { ok: true };
  const app = str(payload.api_app_id);
  if (appId && app !== appId) return { ok: false, status: 403, reason: `payload is for app ${app ?? '(none)'}, not ${appId}` };
  const team = str(payload.team_id) ?? str(field(payload.team, 'id')) ?? str(field(payload.user, 'team_id'));
  const enterprise = str(payload.enterprise_id) ?? str(field(payload.enterprise, 'id'));
  if (!team && !enterprise) return { ok: false, status: 400, reason: 'payload names no team' };
  const ours = await workspace();
  if (team === ours.teamId) return { ok: true };
  if (ours.enterpriseId && enterprise === ours.enterpriseId) return { ok: true };
  return { ok: false, status: 403, reason: `payload is from team ${team ?? '(none)'}, not the bot's team ${ours.teamId}` };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, key: string): unknown {
  return isObject(value) ? value[key] : undefined;
}

/** A whole string field (URLs are longer than the 64 characters `str` keeps). */
function wholeString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= 2048 ? value : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value.slice(0, 64) : undefined;
}
