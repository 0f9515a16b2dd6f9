// Watch streams of the Kubernetes fake: newline-delimited {type, object} events from a resourceVersion, 410 Gone when it is too old.
import type { ServerResponse } from 'node:http';
import { StatusError, type ObjectStore, type StoredEvent } from './objects.js';
import type { Target } from './routes.js';
import { fieldSelector, labelSelector } from './selectors.js';
import { typeKey } from './kinds.js';

/** Open watch connections, so tests can drop them as a flaky network or an API server restart would. */
export class WatchRegistry {
  private readonly open = new Set<ServerResponse>();

  /** Streams events until the client goes away, the timeout passes or the stream is dropped. */
  serve(store: ObjectStore, target: Target, query: URLSearchParams, res: ServerResponse): void {
    const byLabel = labelSelector(query.get('labelSelector'));
    const byField = fieldSelector(query.get('fieldSelector'));
    const matches = (e: StoredEvent): boolean =>
      e.key === typeKey(target.type) && (target.namespace === undefined || e.namespace === target.namespace) && byLabel(e.object) && byField(e.object);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // The client's request resolves on headers; send them now, not with the first event.
    res.flushHeaders();
    const send = (type: string, object: unknown): void => void res.write(`${JSON.stringify({ type, object })}\n`);
    const from = query.get('resourceVersion');
    if (from === null || from === '' || from === '0') {
      // No resourceVersion: synthetic ADDED events for what exists, then changes.
      for (const obj of store.list(target.type, target.namespace)) if (byLabel(obj) && byField(obj)) send('ADDED', obj);
    } else {
      const past = /^\d+$/.test(from) ? store.eventsSince(target.type, Number(from)) : null;
      if (past === null) {
        const gone = new StatusError(410, 'Expired', `too old resource version: ${from} (${store.compactedRv})`);
        send('ERROR', gone.toStatus());
        res.end();
        return;
      }
      for (const e of past) if (matches(e)) send(e.type, e.object);
    }
    const unsubscribe = store.subscribe((e) => {
      if (matches(e)) send(e.type, e.object);
    });
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
    const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
    this.open.add(res);
    res.on('close', () => {
      unsubscribe();
      clearTimeout(timer);
      this.open.delete(res);
    });
  }

  /** Cuts every open watch connection (the socket is destroyed, no clean end); returns how many there were. */
  drop(): number {
    const count = this.open.size;
    for (const res of [...this.open]) res.socket?.destroy();
    return count;
  }

  /** Ends every open watch as the server does when its watch timeout passes. */
  endAll(): void {
    for (const res of [...this.open]) res.end();
  }

  get size(): number {
    return this.open.size;
  }
}
