// The HTTP front: Slack events (HTTP mode), probes, metrics and Flagger's webhook gates on one port.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../runtime/logger.js';
import { flaggerGate, type FlaggerGates } from './flagger.js';
import { json } from './respond.js';

export interface HttpDeps {
  slack: RequestListener | null;
  /** ready: config loaded and the store answers */
  ready: () => Promise<boolean>;
  registry: Registry;
  log: Logger;
  /** Flagger's webhook gates; absent, every gate holds (403) */
  flagger?: FlaggerGates;
  /** when set, a gate call must carry it as `metadata.token` (FLAGGER_WEBHOOK_TOKEN) */
  flaggerToken?: string;
}

export function createHttpServer(deps: HttpDeps): Server {
  const server = createServer((req, res) => {
    route(deps, req, res).catch((err: unknown) => {
      deps.log.error({ err, path: req.url }, 'http handler failed');
      if (!res.headersSent) json(res, 500, { error: 'internal error' });
      else res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  return server;
}

async function route(deps: HttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/slack/events') {
    if (!deps.slack) return json(res, 404, { error: 'Socket Mode is on: Slack events arrive over the socket' });
    // Bolt's listener answers (401 on a bad signature or a stale timestamp) and acks on its own.
    return deps.slack(req, res);
  }
  if (path?.startsWith('/flagger/')) return flaggerGate(path, req, res, deps.log, deps.flagger, deps.flaggerToken);
  if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'method not allowed' });
  switch (path) {
    case '/healthz':
      return json(res, 200, { status: 'ok' });
    case '/readyz': {
      const ready = await deps.ready().catch(() => false);
      return json(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
    }
    case '/metrics': {
      res.writeHead(200, { 'content-type': deps.registry.contentType });
      res.end(await deps.registry.metrics());
      return;
    }
    default:
      return json(res, 404, { error: 'not found' });
  }
}
