// Builds the Octokit client the GitHub adapters share: token or GitHub App auth, a timeout on every attempt, throttling and retry
// when resilient (reads only; rate-limit waits only while short), timing of every call.
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import { UserError } from '../../domain/problems.js';
import { timed } from '../../runtime/timed.js';

export type GitHubAuth = { token: string } | { appId: string; privateKey: string; installationId: string };

/** Where Octokit's own messages (deprecations, rate-limit waits) go. */
export interface OctokitLog {
  debug(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  error(message: string, ...rest: unknown[]): void;
}

export interface OctokitOptions {
  baseUrl: string;
  auth: GitHubAuth;
  /** throttling + retry plugins: on in production, off in tests so a failure shows at once */
  resilient: boolean;
  /** called once per API call (including its retries) with the route template, e.g. 'GET /repos/{owner}/{repo}/contents/{path}' */
  onRequest?: (operation: string, seconds: number, ok: boolean) => void;
  /** default: silent */
  log?: OctokitLog;
  /** how long one HTTP attempt may take (default ATTEMPT_TIMEOUT_MS) */
  timeoutMs?: number;
  /** the fetch Octokit uses (default: the global one) */
  fetch?: typeof globalThis.fetch;
}

const silent: OctokitLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Retries after a rate limit at most this many times before the error reaches the workflow. */
export const RATE_LIMIT_RETRIES = 2;
/** A rate-limit wait longer than this is not waited out: the call fails at once and the person is told. */
export const MAX_RATE_LIMIT_WAIT_S = 10;
export const ATTEMPT_TIMEOUT_MS = 20_000;
/** Only these are retried after a 5xx or a network error: a write whose answer was lost may have been applied. */
const IDEMPOTENT = new Set(['GET', 'HEAD']);

export function createOctokit(opts: OctokitOptions): Octokit {
  const log = opts.log ?? silent;
  const auth =
    'token' in opts.auth
      ? { auth: opts.auth.token }
      : { authStrategy: createAppAuth, auth: { appId: opts.auth.appId, privateKey: opts.auth.privateKey, installationId: opts.auth.installationId } };
  const request = { fetch: withTimeout(opts.fetch ?? globalThis.fetch, opts.timeoutMs ?? ATTEMPT_TIMEOUT_MS) };
  const base = { baseUrl: opts.baseUrl.replace(/\/+$/, ''), userAgent: 'flightdeck', log, request, ...auth };
  const shortWait = (kind: string) => (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number): boolean => {
    const retry = retryAfter <= MAX_RATE_LIMIT_WAIT_S && retryCount < RATE_LIMIT_RETRIES;
    log.warn(`GitHub ${kind} on ${options.method} ${options.url}: ${retry ? `retry ${retryCount + 1} in ${retryAfter}s` : `not waiting ${retryAfter}s (retry ${retryCount + 1})`}`);
    return retry;
  };
  const octokit = opts.resilient
    ? new (Octokit.plugin(throttling, retry))({
        ...base,
        throttle: { onRateLimit: shortWait('rate limit'), onSecondaryRateLimit: shortWait('secondary rate limit') },
        // 409 is a lost optimistic write: retrying the same request cannot succeed.
        retry: { doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451] },
      })
    : new Octokit(base);
  // Registered after the plugins, so it runs before them: writes are never retried by plugin-retry (rate limits are, as
  // GitHub applied nothing then).
  octokit.hook.before('request', (options) => {
    if (!IDEMPOTENT.has(options.method)) options.request = { ...options.request, retries: 0 };
  });

  // A rate limit that outlasts the short waits, or a GitHub that keeps failing, reaches the person as what it is, not as
  // "something failed on our side".
  octokit.hook.error('request', (error, options) => {
    throw rateLimitOf(error) ?? serverFailureOf(error, options.method) ?? error;
  });

  const onRequest = opts.onRequest;
  if (onRequest) {
    octokit.hook.wrap('request', (request, options) => {
      const operation = `${options.method} ${options.url}`;
      return timed(async () => request(options), (seconds, ok) => onRequest(operation, seconds, ok));
    });
  }
  return octokit;
}

/** A fetch whose every call is aborted after `ms` (an attempt: the retry plugin's next attempt gets its own). */
function withTimeout(inner: typeof globalThis.fetch, ms: number): typeof globalThis.fetch {
  return (input, init) => {
    const timeout = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return inner(input, { ...init, signal });
  };
}

/** A rate limit GitHub applied nothing under; keeps its HTTP status so callers that read `status` still see one. */
export class GitHubRateLimitedError extends UserError {
  constructor(
    readonly status: number,
    retryAfterS: number | null,
    githubMessage: string,
    options?: { cause: unknown },
  ) {
    super({ code: 'upstream-limited', service: 'GitHub', retryAfterS });
    this.message = `GitHub rate limit (HTTP ${status}, retry after ${retryAfterS ?? 'unsaid'}s): ${githubMessage}`;
    if (options) this.cause = options.cause;
  }
}

/** GitHub answered 5xx, or not at all (Octokit reports a failed fetch as 500), after the retries; keeps the HTTP status. */
export class GitHubFailingError extends UserError {
  constructor(
    readonly status: number,
    detail: string,
    write: boolean,
    options?: { cause: unknown },
  ) {
    super({ code: 'upstream-failing', service: 'GitHub', status, detail, write });
    this.message = `GitHub failing (HTTP ${status}): ${detail}`;
    if (options) this.cause = options.cause;
  }
}

function serverFailureOf(error: unknown, method: string): GitHubFailingError | null {
  const e = error as { status?: unknown; message?: unknown; response?: { data?: { message?: unknown } } } | null;
  if (typeof e?.status !== 'number' || e.status < 500) return null;
  const said = typeof e.response?.data?.message === 'string' ? e.response.data.message : typeof e.message === 'string' ? e.message : '';
  const line = said.split('\n')[0]?.trim() || 'no message';
  return new GitHubFailingError(e.status, line.length > 160 ? `${line.slice(0, 159)}…` : line, !IDEMPOTENT.has(method), { cause: error });
}

/** GitHub's rate-limit answers (docs.github.com "Rate limits for the REST API"): 429, or 403 naming a rate limit. */
function rateLimitOf(error: unknown): GitHubRateLimitedError | null {
  const e = error as { status?: unknown; response?: { headers?: Record<string, string | undefined>; data?: { message?: unknown } } } | null;
  const status = typeof e?.status === 'number' ? e.status : undefined;
  const headers = e?.response?.headers ?? {};
  const message = typeof e?.response?.data?.message === 'string' ? e.response.data.message : '';
  const limited = status === 429 || (status === 403 && (/rate limit/i.test(message) || headers['x-ratelimit-remaining'] === '0'));
  if (!limited || status === undefined) return null;
  const after = Number(headers['retry-after']);
  const reset = Number(headers['x-ratelimit-reset']);
  const retryAfterS = Number.isFinite(after) && headers['retry-after'] !== undefined ? after : Number.isFinite(reset) && reset > 0 ? Math.max(0, reset - Math.floor(Date.now() / 1000)) : null;
  return new GitHubRateLimitedError(status, retryAfterS, message, { cause: error });
}
