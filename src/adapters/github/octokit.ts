// Builds the Octokit client the GitHub adapters share: token or GitHub App auth, throttling and retry when resilient, timing of every call.
import { createAppAuth } from '@octokit/auth-app';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
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
}

const silent: OctokitLog = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Retries after a rate limit at most this many times before the error reaches the workflow. */
const RATE_LIMIT_RETRIES = 2;

export function createOctokit(opts: OctokitOptions): Octokit {
  const log = opts.log ?? silent;
  const auth =
    'token' in opts.auth
      ? { auth: opts.auth.token }
      : { authStrategy: createAppAuth, auth: { appId: opts.auth.appId, privateKey: opts.auth.privateKey, installationId: opts.auth.installationId } };
  const base = { baseUrl: opts.baseUrl.replace(/\/+$/, ''), userAgent: 'flightdeck', log, ...auth };
  const octokit = opts.resilient
    ? new (Octokit.plugin(throttling, retry))({
        ...base,
        throttle: {
          onRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
            log.warn(`GitHub rate limit on ${options.method} ${options.url}; retry ${retryCount + 1} in ${retryAfter}s`);
            return retryCount < RATE_LIMIT_RETRIES;
          },
          onSecondaryRateLimit: (retryAfter: number, options: { method: string; url: string }, _o: unknown, retryCount: number) => {
            log.warn(`GitHub secondary rate limit on ${options.method} ${options.url}; retry ${retryCount + 1} in ${retryAfter}s`);
            return retryCount < RATE_LIMIT_RETRIES;
          },
        },
        // 409 is a lost optimistic write: retrying the same request cannot succeed.
        retry: { doNotRetry: [400, 401, 403, 404, 409, 410, 422, 451] },
      })
    : new Octokit(base);

  const onRequest = opts.onRequest;
  if (onRequest) {
    octokit.hook.wrap('request', (request, options) => {
      const operation = `${options.method} ${options.url}`;
      return timed(async () => request(options), (seconds, ok) => onRequest(operation, seconds, ok));
    });
  }
  return octokit;
}
