// A PagerDuty Events API v2 fake on loopback: POST /v2/enqueue validates like PagerDuty and answers 202; faults on request.
//
// How it may differ from events.pagerduty.com (write new differences down here):
// - Validates routing_key (32 characters in PagerDuty; here any non-empty string unless `routingKey` is set), event_action,
//   dedup_key (at most 255), and for trigger payload.summary (at most 1024), payload.source and payload.severity.
//   PagerDuty answers 400 {status:'invalid event', message, errors:[...]}; so does the fake.
// - Keeps one alert per dedup key: trigger opens it (again after resolve), acknowledge/resolve move it; PagerDuty
//   accepts acknowledge/resolve for unknown keys (202) and ignores them, and so does the fake.
// - No rate limits unless asked: `failNext` answers the next requests with a status (e.g. 500, 503, 429) or drops the
//   connection without an answer (status 0).
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PagerCall {
  body: Record<string, any>;
  status: number;
}

export interface PagerFake {
  /** e.g. http://127.0.0.1:PORT/v2/enqueue */
  url: string;
  /** every request, failed ones too */
  calls: PagerCall[];
  /** accepted events only */
  accepted(): Array<Record<string, any>>;
  alerts: Map<string, { status: 'triggered' | 'acknowledged' | 'resolved'; summary: string; severity: string; events: number }>;
  /** the next `times` requests fail with `status` (0: the connection is closed without an answer) */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

const SEVERITIES = ['critical', 'error', 'warning', 'info'];
const ACTIONS = ['trigger', 'acknowledge', 'resolve'];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** PagerDuty's validation of an event, as error strings. */
function problems(body: Record<string, any>, routingKey: string | undefined): string[] {
  const errors: string[] = [];
  if (typeof body.routing_key !== 'string' || body.routing_key === '' || (routingKey !== undefined && body.routing_key !== routingKey)) errors.push("'routing_key' is invalid");
  if (!ACTIONS.includes(body.event_action)) errors.push("'event_action' must be one of trigger, acknowledge, resolve");
  if (body.dedup_key !== undefined && (typeof body.dedup_key !== 'string' || body.dedup_key.length > 255)) errors.push("'dedup_key' must be a string of at most 255 characters");
  if (body.event_action !== 'trigger' && typeof body.dedup_key !== 'string') errors.push("'dedup_key' is required for acknowledge and resolve");
  if (body.event_action === 'trigger') {
    const p = body.payload ?? {};
    if (typeof p.summary !== 'string' || p.summary === '' || p.summary.length > 1024) errors.push("'payload.summary' is missing or longer than 1024 characters");
    if (typeof p.source !== 'string' || p.source === '') errors.push("'payload.source' is missing");
    if (!SEVERITIES.includes(p.severity)) errors.push("'payload.severity' must be one of critical, error, warning, info");
  }
  return errors;
}

export async function startPagerFake(opts: { routingKey?: string } = {}): Promise<PagerFake> {
  const faults: number[] = [];
  let counter = 0;
  const fake: Omit<PagerFake, 'url' | 'close'> = {
    calls: [],
    accepted: () => fake.calls.filter((c) => c.status === 202).map((c) => c.body),
    alerts: new Map(),
    failNext(status, times = 1) {
      for (let i = 0; i < times; i += 1) faults.push(status);
    },
  };
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const answer = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://x').pathname !== '/v2/enqueue') return answer(404, { status: 'not found' });
      let body: Record<string, any>;
      try {
        body = JSON.parse(raw) as Record<string, any>;
      } catch {
        fake.calls.push({ body: { raw }, status: 400 });
        return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Malformed JSON'] });
      }
      const fault = faults.shift();
      if (fault !== undefined) {
        fake.calls.push({ body, status: fault });
        if (fault === 0) return res.destroy();
        return answer(fault, fault === 429 ? { status: 'throttle event', message: 'Requests for this service are arriving too quickly.' } : { status: 'error', message: 'Internal Server Error' });
      }
      const errors = problems(body, opts.routingKey);
      if (errors.length > 0) {
        fake.calls.push({ body, status: 400 });
        return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors });
      }
      const key = typeof body.dedup_key === 'string' ? body.dedup_key : `fake-${++counter}`;
      const alert = fake.alerts.get(key);
      if (body.event_action === 'trigger' && (!alert || alert.status === 'resolved')) {
        fake.alerts.set(key, { status: 'triggered', summary: body.payload.summary, severity: body.payload.severity, events: 1 });
      } else if (alert) {
        alert.events += 1;
        if (body.event_action !== 'trigger' && alert.status !== 'resolved') alert.status = body.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
      }
      fake.calls.push({ body, status: 202 });
      answer(202, { status: 'success', message: 'Event processed', dedup_key: key });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...fake,
    get calls() {
      return fake.calls;
    },
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
