// A stand-in for Slack's Socket Mode endpoint: hello on connect, envelopes out, acks back, on the Web API fake's port.
//
// How it may differ from wss-primary.slack.com (write new differences down here):
// - Plain ws:// on loopback; the URL carries a one-use `ticket` from apps.connections.open, anything else gets 401.
// - The server never pings (Slack does); the client's pings are answered with pongs. Connections are never
//   refreshed on their own; `disconnect()` sends Slack's `{type:'disconnect'}` message when a test wants that.
// - Envelopes go to the newest open connection, not spread over all of them; an envelope that is not acked
//   in time is not redelivered.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

/** What the app sends back over the socket to acknowledge an envelope. */
export interface SocketAck {
  envelope_id: string;
  payload?: any;
  /** ms from sending the envelope to receiving the ack */
  ms: number;
}

export interface SocketModeFake {
  /** connections that got their hello and are still open */
  connectionCount(): number;
  /** resolves once a client is connected (at once when one already is) */
  connected(timeoutMs?: number): Promise<void>;
  /** wraps the payload in an envelope, sends it and resolves with the client's ack; rejects after the timeout (Slack's is 3 s) */
  send(type: EnvelopeType, payload: any, opts?: { timeoutMs?: number; acceptsResponsePayload?: boolean; retryAttempt?: number }): Promise<SocketAck>;
  /** every envelope sent, in order */
  envelopes: Array<{ envelope_id: string; type: EnvelopeType; payload: any }>;
  /** asks every client to reconnect, as Slack does before recycling a server */
  disconnect(reason?: string): void;
  /** a fresh one-use WebSocket URL (what apps.connections.open hands out) */
  issueUrl(): string;
  /** closes every connection with a close frame (terminating those that do not answer in 1 s) */
  close(): Promise<void>;
}

export const SOCKET_PATH = '/link/';
const DEFAULT_ACK_TIMEOUT_MS = 3000;

export function createSocketModeFake(server: Server, origin: () => string, appId: string): SocketModeFake {
  const wss = new WebSocketServer({ noServer: true });
  const tickets = new Set<string>();
  const open: WebSocket[] = [];
  const pending = new Map<string, { ws: WebSocket; resolve: (ack: SocketAck) => void; reject: (e: Error) => void; sentAt: number }>();
  let waiters: Array<() => void> = [];
  const envelopes: SocketModeFake['envelopes'] = [];

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== SOCKET_PATH || !tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  function accept(ws: WebSocket): void {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let msg: any;
      try {
        msg = JSON.parse(data.toString());
      } catch {
        return;
      }
      const waiting = typeof msg?.envelope_id === 'string' ? pending.get(msg.envelope_id) : undefined;
      if (!waiting) return;
      pending.delete(msg.envelope_id);
      waiting.resolve({ envelope_id: msg.envelope_id, ...(msg.payload !== undefined ? { payload: msg.payload } : {}), ms: Date.now() - waiting.sentAt });
    });
    ws.on('close', () => {
      const i = open.indexOf(ws);
      if (i >= 0) open.splice(i, 1);
      for (const [id, p] of pending) {
        if (p.ws !== ws) continue;
        pending.delete(id);
        p.reject(new Error(`the connection closed before envelope ${id} was acked`));
      }
    });
    ws.on('error', () => undefined);
    const hello = {
      type: 'hello',
      num_connections: open.length + 1,
      debug_info: { host: 'applink-sandbox', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: appId },
    };
    ws.send(JSON.stringify(hello), () => {
      open.push(ws);
      const ready = waiters;
      waiters = [];
      ready.forEach((w) => w());
    });
  }

  return {
    envelopes,
    connectionCount: () => open.filter((ws) => ws.readyState === WebSocket.OPEN).length,
    connected(timeoutMs = 10_000) {
      if (open.some((ws) => ws.readyState === WebSocket.OPEN)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no Socket Mode client connected within ${timeoutMs} ms`)), timeoutMs);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
    send(type, payload, opts = {}) {
      const ws = [...open].reverse().find((c) => c.readyState === WebSocket.OPEN);
      if (!ws) return Promise.reject(new Error('no Socket Mode client is connected'));
      const envelope_id = randomUUID();
      const accepts = opts.acceptsResponsePayload ?? (type === 'slash_commands' || (type === 'interactive' && payload?.type === 'view_submission'));
      const envelope: Record<string, unknown> = { envelope_id, type, payload, accepts_response_payload: accepts };
      if (type === 'events_api') Object.assign(envelope, { retry_attempt: opts.retryAttempt ?? 0, retry_reason: opts.retryAttempt ? 'timeout' : '' });
      envelopes.push({ envelope_id, type, payload });
      const timeoutMs = opts.timeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
      return new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(envelope_id);
          reject(new Error(`envelope ${envelope_id} (${type}) was not acked within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(envelope_id, {
          ws,
          sentAt: Date.now(),
          resolve: (ack) => {
            clearTimeout(timer);
            resolve(ack);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        ws.send(JSON.stringify(envelope), (err) => {
          if (err) pending.get(envelope_id)?.reject(err);
        });
      });
    },
    disconnect(reason = 'refresh_requested') {
      const msg = JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'applink-sandbox' } });
      open.forEach((ws) => ws.send(msg));
    },
    issueUrl() {
      const ticket = randomUUID();
      tickets.add(ticket);
      return `${origin().replace(/^http/, 'ws')}${SOCKET_PATH}?ticket=${ticket}&app_id=${appId}`;
    },
    async close() {
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error('Socket Mode fake closed'));
      }
      const closing = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const timer = setTimeout(() => ws.terminate(), 1000);
            ws.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            if (ws.readyState === WebSocket.OPEN) ws.close(1001, 'going away');
          }),
      );
      await Promise.all(closing);
      wss.close();
    },
  };
}
