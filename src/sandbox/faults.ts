// Fault injection shared by the protocol fakes: queued faults matched by method and path, applied before (or, for a lost answer,
// after) the fake handles a request, so tests and the sandbox can make GitHub, Kubernetes and Slack fail the ways real ones do.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What happens to a matching request. */
export type FaultKind =
  /** answer with this status, body and headers instead of handling the request */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** close the connection without an answer, before anything is applied (a reset, a dead proxy) */
  | { kind: 'reset' }
  /** never answer; the connection stays open until the client gives up or the fake closes */
  | { kind: 'hang' }
  /** answer normally after a delay */
  | { kind: 'slow'; ms: number }
  /** handle the request (the write is applied), then close the connection instead of answering */
  | { kind: 'lost' };

export type Fault = FaultKind & {
  /** HTTP method; any when unset */
  method?: string;
  /** the request path (without query, percent-decoded): a prefix string or a pattern */
  path?: string | RegExp;
  /** how many matching requests it hits (default 1; Infinity until cleared) */
  times?: number;
};

export interface FaultRecord {
  method: string;
  path: string;
  kind: FaultKind['kind'];
  status?: number;
}

/** The fault queue of one fake. */
export class Faults {
  private readonly queue: Array<Fault & { left: number }> = [];
  private readonly hung = new Set<ServerResponse>();
  /** faults applied so far, in order */
  readonly injected: FaultRecord[] = [];

  /** Queues a fault; faults are matched in the order queued. */
  inject(fault: Fault): this {
    this.queue.push({ ...fault, left: fault.times ?? 1 });
    return this;
  }

  /** Forgets queued faults and lets hung requests go (their connections are closed). */
  clear(): void {
    this.queue.length = 0;
    for (const res of this.hung) res.socket?.destroy();
    this.hung.clear();
  }

  pending(): number {
    return this.queue.length;
  }

  /**
   * Applies the first matching fault. Returns 'handled' when the fault answered (or will never answer), 'continue' when
   * the fake should handle the request itself (possibly after a delay, or with its answer to be lost).
   */
  async intercept(req: IncomingMessage, res: ServerResponse): Promise<'handled' | 'continue'> {
    if (this.queue.length === 0) return 'continue';
    const method = req.method ?? 'GET';
    const path = readable(new URL(req.url ?? '/', 'http://fake').pathname);
    const index = this.queue.findIndex((f) => matches(f, method, path));
    if (index < 0) return 'continue';
    const fault = this.queue[index]!;
    fault.left -= 1;
    if (fault.left <= 0) this.queue.splice(index, 1);
    this.injected.push({ method, path, kind: fault.kind, ...(fault.kind === 'status' ? { status: fault.status } : {}) });
    switch (fault.kind) {
      case 'status': {
        const text = fault.body === undefined ? '' : typeof fault.body === 'string' ? fault.body : JSON.stringify(fault.body);
        req.resume();
        res.writeHead(fault.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(text)), ...fault.headers });
        res.end(text);
        return 'handled';
      }
      case 'reset':
        req.socket.destroy();
        return 'handled';
      case 'hang':
        this.hung.add(res);
        res.on('close', () => this.hung.delete(res));
        return 'handled';
      case 'slow':
        await new Promise((r) => setTimeout(r, fault.ms));
        return 'continue';
      case 'lost':
        loseAnswer(res);
        return 'continue';
    }
  }
}

/** The path as people write it: `contents/k8s/a.yaml`, not `contents/k8s%2Fa.yaml`. */
function readable(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function matches(fault: Fault, method: string, path: string): boolean {
  if (fault.method && fault.method.toUpperCase() !== method) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === 'string' ? path.startsWith(fault.path) : fault.path.test(path);
}

/** The fake still handles the request; whatever it answers is dropped and the connection closed, as a proxy losing it would. */
function loseAnswer(res: ServerResponse): void {
  const drop = (): ServerResponse => {
    res.socket?.destroy();
    return res;
  };
  res.writeHead = drop as unknown as ServerResponse['writeHead'];
  res.write = (() => drop() && true) as unknown as ServerResponse['write'];
  res.end = drop as unknown as ServerResponse['end'];
  res.flushHeaders = () => undefined;
}

/** GitHub's answers for its rate limits (docs.github.com: "Rate limits for the REST API"). */
export const githubFaults = {
  serverError: (status = 502): FaultKind => ({ kind: 'status', status, body: { message: 'Server Error' } }),
  /** primary rate limit: 403 (or 429) with x-ratelimit-remaining 0 and the reset time */
  rateLimit: (resetInSeconds: number, status: 403 | 429 = 403): FaultKind => ({
    kind: 'status',
    status,
    body: { message: 'API rate limit exceeded for installation.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
    headers: { 'x-ratelimit-limit': '5000', 'x-ratelimit-remaining': '0', 'x-ratelimit-used': '5000', 'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + resetInSeconds) },
  }),
  /** 429 with Retry-After (what the throttling plugin treats as a secondary limit when the body says so) */
  tooManyRequests: (retryAfterSeconds: number): FaultKind => ({
    kind: 'status',
    status: 429,
    body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    headers: { 'retry-after': String(retryAfterSeconds) },
  }),
  /** secondary rate limit: 403 with the secondary-rate-limit message and Retry-After */
  secondaryRateLimit: (retryAfterSeconds: number): FaultKind => ({
    kind: 'status',
    status: 403,
    body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits' },
    headers: { 'retry-after': String(retryAfterSeconds) },
  }),
};

/** Kubernetes API server answers as metav1.Status objects. */
export const kubeFaults = {
  unavailable: (): FaultKind => ({ kind: 'status', status: 503, body: kubeStatus(503, 'ServiceUnavailable', 'the server is currently unable to handle the request') }),
  conflict: (name = 'object'): FaultKind => ({
    kind: 'status',
    status: 409,
    body: kubeStatus(409, 'Conflict', `Operation cannot be fulfilled on ${name}: the object has been modified; please apply your changes to the latest version and try again`),
  }),
  gone: (): FaultKind => ({ kind: 'status', status: 410, body: kubeStatus(410, 'Expired', 'too old resource version') }),
};

function kubeStatus(code: number, reason: string, message: string): unknown {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Slack's answers for rate limits (api.slack.com/docs/rate-limits): HTTP 429 with Retry-After and `ratelimited`. */
export const slackFaults = {
  rateLimited: (retryAfterSeconds: number): FaultKind => ({ kind: 'status', status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(retryAfterSeconds) } }),
};
