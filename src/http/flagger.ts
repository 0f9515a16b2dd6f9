// Flagger's webhook gates over HTTP: validates the body, asks the durable gate, answers 200 (pass) or 403 (hold).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { GATE_PATHS, type GateKind } from '../domain/canaryGates.js';
import type { Logger } from '../runtime/logger.js';
import { json } from './respond.js';

/** Flagger's payload (pkg/controller/webhook.go); `checksum` names the canary revision. */
const payload = z.object({
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63),
  phase: z.string().max(64).optional(),
  checksum: z.string().max(256).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** A body above this is refused; Flagger's are a few hundred bytes. */
const BODY_LIMIT = 64 * 1024;
/** An oversized body is read and dropped up to this much, so the client gets its 400 rather than a reset connection. */
const DRAIN_LIMIT = 16 * 1024 * 1024;

/** What answers a gate; absent, every gate holds. */
export interface FlaggerGates {
  answer(gate: GateKind, body: z.infer<typeof payload>): Promise<{ pass: boolean; reason: string }>;
}

export async function flaggerGate(path: string, req: IncomingMessage, res: ServerResponse, log: Logger, gates?: FlaggerGates, token?: string): Promise<void> {
  const gate = GATE_PATHS[path];
  if (!gate) return json(res, 404, { error: 'not found' });
  if (req.method !== 'POST') return json(res, 405, { error: 'method not allowed' });
  const read = await readBounded(req, BODY_LIMIT, DRAIN_LIMIT);
  if (read.kind === 'too-large') {
    if (read.drained) return json(res, 400, { error: `body larger than ${BODY_LIMIT} bytes` });
    res.setHeader('connection', 'close');
    return json(res, 400, { error: `body larger than ${BODY_LIMIT} bytes` });
  }
  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch {
    return json(res, 400, { error: 'expected a JSON body {name, namespace, phase, checksum, metadata}' });
  }
  const parsed = payload.safeParse(body);
  if (!parsed.success) return json(res, 400, { error: 'expected {name, namespace, phase, checksum, metadata}' });
  const canary = `${parsed.data.namespace}/${parsed.data.name}`;
  // Flagger signs nothing: where a token is configured, a call without it cannot read or open a gate.
  if (token !== undefined && !sameToken(parsed.data.metadata?.token, token)) {
    log.warn({ gate: path, canary }, 'flagger gate call without the webhook token refused');
    return json(res, 401, { status: 'held', error: 'this gate needs the webhook token in metadata.token' });
  }
  if (!gates) return json(res, 403, { status: 'held', reason: 'no one has allowed this canary revision in Slack' });
  let answer: { pass: boolean; reason: string };
  try {
    answer = await gates.answer(gate, parsed.data);
  } catch (err) {
    // Holding is the safe answer: > 202 is "not yet" for promotion and "do not roll back" for rollback.
    log.error({ err, gate: path, canary }, 'flagger gate could not be answered');
    return json(res, 503, { status: 'held', reason: 'Flightdeck could not read its gates; holding' });
  }
  log.info({ gate: path, canary, checksum: parsed.data.checksum, phase: parsed.data.phase, pass: answer.pass }, answer.pass ? 'flagger gate open' : 'flagger gate held');
  return json(res, answer.pass ? 200 : 403, { status: answer.pass ? 'open' : 'held', reason: answer.reason });
}

function sameToken(given: unknown, token: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}

type Bounded = { kind: 'ok'; text: string } | { kind: 'too-large'; drained: boolean };

/** Reads up to `limit` bytes; beyond that keeps reading and dropping (up to `drain`) so the answer is not a reset. */
function readBounded(req: IncomingMessage, limit: number, drain: number): Promise<Bounded> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: Bounded): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > drain) {
        req.pause();
        finish({ kind: 'too-large', drained: false });
      }
    });
    req.on('end', () => finish(size > limit ? { kind: 'too-large', drained: true } : { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', (err) => {
      if (!settled) reject(err);
    });
  });
}
