// A protocol-level fake of Prometheus's HTTP query API (/api/v1/query): answers what tests set, can be down or slow.
//
// How it differs from Prometheus: it evaluates no PromQL. A query is answered by the first rule whose pattern it
// contains (or matches, for a RegExp) as a one-sample vector, `vector(1)` as 1, and anything else as an empty vector.
// GET and POST (form body) both work, as in Prometheus; `time` and `timeout` are accepted and ignored. Errors use
// Prometheus's envelope: {"status":"error","errorType":"bad_data","error":"..."} with 400, or 503 while `down`.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PrometheusFake {
  url: string;
  /** every query received, whitespace as sent */
  queries: string[];
  /** answer queries containing (or matching) `pattern` with `value`; null answers an empty vector; later rules win */
  set(pattern: string | RegExp, value: number | null): void;
  /** 503 to every query while true */
  down: boolean;
  /** delay before each answer (a slow Prometheus) */
  delayMs: number;
  close(): Promise<void>;
}

export async function startPrometheusFake(): Promise<PrometheusFake> {
  const rules: Array<{ pattern: string | RegExp; value: number | null }> = [];
  const pending = new Set<NodeJS.Timeout>();
  const fake: PrometheusFake = {
    url: '',
    queries: [],
    set: (pattern, value) => void rules.unshift({ pattern, value }),
    down: false,
    delayMs: 0,
    close: async () => undefined,
  };

  const answer = (query: string): unknown[] => {
    const rule = rules.find((r) => (typeof r.pattern === 'string' ? query.includes(r.pattern) : r.pattern.test(query)));
    const value = rule ? rule.value : query.trim() === 'vector(1)' ? 1 : null;
    return value === null ? [] : [{ metric: {}, value: [Date.now() / 1000, String(value)] }];
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://prometheus');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (url.pathname !== '/api/v1/query') return send(res, 404, { status: 'error', errorType: 'not_found', error: 'not found' });
    const form = req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : url.searchParams;
    const query = form.get('query') ?? url.searchParams.get('query');
    if (fake.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(timer);
          resolve();
        }, fake.delayMs);
        pending.add(timer);
      });
    }
    if (res.destroyed) return;
    if (!query) return send(res, 400, { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": unknown position: parse error: no expression found in input' });
    fake.queries.push(query);
    if (fake.down) return send(res, 503, { status: 'error', errorType: 'unavailable', error: 'Service Unavailable' });
    send(res, 200, { status: 'success', data: { resultType: 'vector', result: answer(query) } });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = async () => {
    for (const timer of pending) clearTimeout(timer);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return fake;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
