// Follows one object through client-node's Watch, which never reconnects itself: restarts with backoff from the last resourceVersion,
// re-reads on 410 Gone, and gives up on a stream that does not connect or outlives its timeout (a hung API server).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Watch } from '@kubernetes/client-node';

export interface WatchObjectOptions {
  watch: Watch;
  /** collection path, such as /apis/argoproj.io/v1alpha1/namespaces/argocd/applications */
  path: string;
  name: string;
  /** the object now (null: it does not exist); called first and after a 410 */
  read(): Promise<any | null>;
  /** true stops the watch */
  onObject(obj: any): boolean;
  signal: AbortSignal;
  onStream?: (seconds: number, ok: boolean) => void;
  log?: { warn(obj: object, msg?: string): void };
  /** told, in a few words, each time the object could not be read or watched (API down, hung) before a retry */
  onTrouble?: (detail: string) => void;
  backoff?: { initialMs: number; maxMs: number };
  /** a watch whose response has not started by then is abandoned and retried (client-node's Watch has no timeout) */
  connectTimeoutMs?: number;
  /** asked of the server (`timeoutSeconds`); a stream still open WATCH_GRACE_MS after it is abandoned and retried */
  timeoutSeconds?: number;
}

export const WATCH_CONNECT_TIMEOUT_MS = 15_000;
export const WATCH_TIMEOUT_SECONDS = 300;
const WATCH_GRACE_MS = 30_000;

type StreamEnd = { kind: 'done' | 'aborted' | 'gone' | 'closed' } | { kind: 'error'; err: unknown; fatal?: boolean };

/** Resolves when onObject returns true or the signal aborts; rejects when the object disappears or access is refused. */
export async function watchObject(opts: WatchObjectOptions): Promise<void> {
  const { initialMs, maxMs } = opts.backoff ?? { initialMs: 200, maxMs: 5_000 };
  let delay = initialMs;
  let rv: string | undefined;
  const fresh = async (): Promise<boolean> => {
    const obj = await opts.read();
    if (!obj) throw new Error(`${opts.path}/${opts.name} does not exist`);
    rv = obj.metadata?.resourceVersion;
    return opts.onObject(obj);
  };
  // The first read is retried like a dropped stream: a passing 5xx or reset must not end the watch.
  for (;;) {
    if (opts.signal.aborted) return;
    try {
      if (await fresh()) return;
      break;
    } catch (err) {
      if (isFatal(err)) throw err;
      opts.log?.warn({ err, path: opts.path, name: opts.name, retryInMs: delay }, 'first read failed; retrying');
      opts.onTrouble?.(troubleOf(err));
      try {
        await sleep(delay, undefined, { signal: opts.signal });
      } catch {
        return;
      }
      delay = Math.min(delay * 2, maxMs);
    }
  }
  delay = initialMs;
  const cursor = { rv, events: 0 };
  for (;;) {
    cursor.rv = rv;
    cursor.events = 0;
    const end = await stream(opts, cursor);
    rv = cursor.rv;
    if (end.kind === 'done' || end.kind === 'aborted') return;
    if (end.kind === 'error' && end.fatal) throw end.err;
    if (end.kind === 'error') {
      opts.log?.warn({ err: end.err, path: opts.path, name: opts.name, retryInMs: delay }, 'watch failed; restarting');
      opts.onTrouble?.(troubleOf(end.err));
    }
    // A stream that carried events was healthy: start the backoff over.
    if (cursor.events > 0) delay = initialMs;
    try {
      await sleep(end.kind === 'closed' && cursor.events > 0 ? 0 : delay, undefined, { signal: opts.signal });
    } catch {
      return;
    }
    delay = Math.min(delay * 2, maxMs);
    if (end.kind === 'gone') {
      try {
        if (await fresh()) return;
      } catch (err) {
        if (isFatal(err)) throw err;
        opts.log?.warn({ err, path: opts.path, name: opts.name }, 'reading after 410 Gone failed; retrying');
        rv = undefined;
      }
    }
  }
}

/** A failed read or watch in a few words: the HTTP status where there is one, else the first line of the error. */
function troubleOf(err: unknown): string {
  const code = (err as { code?: unknown; statusCode?: unknown } | null)?.code ?? (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof code === 'number') return `HTTP ${code}`;
  const line = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

function isFatal(err: unknown): boolean {
  const code = (err as { code?: number; statusCode?: number }).code ?? (err as { statusCode?: number }).statusCode;
  return code === 401 || code === 403 || code === 404 || (err instanceof Error && err.message.endsWith('does not exist'));
}

/** One watch request, until it ends one way or another; updates the cursor's resourceVersion as events arrive. */
function stream(opts: WatchObjectOptions, cursor: { rv: string | undefined; events: number }): Promise<StreamEnd> {
  const started = performance.now();
  return new Promise<StreamEnd>((resolve) => {
    let settled = false;
    let controller: AbortController | undefined;
    const timeoutSeconds = opts.timeoutSeconds ?? WATCH_TIMEOUT_SECONDS;
    const connectMs = opts.connectTimeoutMs ?? WATCH_CONNECT_TIMEOUT_MS;
    const connecting = setTimeout(() => finish({ kind: 'error', err: new Error(`watch of ${opts.path}/${opts.name} did not answer within ${connectMs} ms`) }), connectMs);
    const outlived = setTimeout(
      () => finish({ kind: 'error', err: new Error(`watch of ${opts.path}/${opts.name} stayed open past its ${timeoutSeconds}s timeout`) }),
      timeoutSeconds * 1000 + WATCH_GRACE_MS,
    );
    const finish = (end: StreamEnd): void => {
      if (settled) return;
      settled = true;
      clearTimeout(connecting);
      clearTimeout(outlived);
      opts.signal.removeEventListener('abort', onAbort);
      controller?.abort();
      opts.onStream?.((performance.now() - started) / 1000, end.kind !== 'error');
      resolve(end);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    opts.signal.addEventListener('abort', onAbort, { once: true });
    const onEvent = (type: string, obj: any): void => {
      if (settled) return;
      if (type === 'ERROR') {
        finish(obj?.code === 410 ? { kind: 'gone' } : { kind: 'error', err: new Error(`watch error: ${obj?.message ?? JSON.stringify(obj)}`) });
        return;
      }
      cursor.rv = obj?.metadata?.resourceVersion ?? cursor.rv;
      if (type === 'BOOKMARK') return;
      cursor.events += 1;
      if (type === 'DELETED') {
        finish({ kind: 'error', err: new Error(`${opts.path}/${opts.name} was deleted`), fatal: true });
        return;
      }
      let stop: boolean;
      try {
        stop = opts.onObject(obj);
      } catch (err) {
        finish({ kind: 'error', err, fatal: true });
        return;
      }
      if (stop) finish({ kind: 'done' });
    };
    const onDone = (err: any): void => {
      if (!err) finish({ kind: 'closed' });
      else if (err.statusCode === 410) finish({ kind: 'gone' });
      else finish({ kind: 'error', err, fatal: isFatal(err) });
    };
    const query = { fieldSelector: `metadata.name=${opts.name}`, allowWatchBookmarks: true, timeoutSeconds, ...(cursor.rv ? { resourceVersion: cursor.rv } : {}) };
    opts.watch.watch(opts.path, query, onEvent, onDone).then(
      (c) => {
        clearTimeout(connecting);
        controller = c;
        if (settled) c.abort();
      },
      (err: unknown) => finish({ kind: 'error', err }),
    );
  });
}
