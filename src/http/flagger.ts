// Flagger webhook gates. Until the canary workflow lands, no one can press Promote/Abort canary, so every gate holds (403).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../runtime/logger.js';
import { json } from './respond.js';

const GATES = new Set(['/flagger/gate/approve', '/flagger/gate/check', '/flagger/rollback/check']);
const payload = z.object({ name: z.string().min(1), namespace: z.string().min(1), phase: z.string().optional(), checksum: z.string().optional(), metadata: z.record(z.string(), z.unknown()).optional() });

export async function flaggerGate(path: string, req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
  if (!GATES.has(path)) return json(res, 404, { error: 'not found' });
  if (req.method !== 'POST') return json(res, 405, { error: 'method not allowed' });
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req, 64 * 1024));
  } catch {
    return json(res, 400, { error: 'expected a JSON body {name, namespace, phase, checksum, metadata}' });
  }
  const parsed = payload.safeParse(body);
  if (!parsed.success) return json(res, 400, { error: 'expected {name, namespace, phase, checksum, metadata}' });
  log.info({ gate: path, canary: `${parsed.data.namespace}/${parsed.data.name}`, checksum: parsed.data.checksum }, 'flagger gate held');
  // Holding is the safe answer: Flagger treats > 202 as "not yet" (and, for rollback, "do not roll back").
  return json(res, 403, { status: 'held', reason: 'no one has allowed this canary revision in Slack' });
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
