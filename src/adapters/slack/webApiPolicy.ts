// Bounds every Slack Web API call: a per-attempt timeout, a few retries within about a minute, and rate-limit waits that are
// honoured only while short, so a slow or throttling Slack cannot hold the scheduler or shutdown for the SDK's 30 minutes.
import type { webApi } from '@slack/bolt';

type WebClientOptions = webApi.WebClientOptions;

/** How long one HTTP attempt may take. */
export const ATTEMPT_TIMEOUT_MS = 15_000;
/** Longest Retry-After the client waits out; a longer one fails the call at once with `ratelimited`. */
export const MAX_RATE_LIMIT_WAIT_S = 20;
/** Retries after the first attempt, and the time after which no retry starts. */
export const RETRIES = 3;
export const MAX_RETRY_TIME_MS = 60_000;

type Fetch = typeof globalThis.fetch;

/**
 * WebClient options for production (`retries` given: tests pass 0). The WebClient itself waits out a 429's Retry-After and
 * then retries (pausing its whole queue meanwhile); the fetch below turns a 429 that asks for more than MAX_RATE_LIMIT_WAIT_S
 * into Slack's own `{ok:false, error:'ratelimited'}` answer, which the client reports without waiting or retrying.
 */
export function webApiOptions(apiUrl: string, opts: { retries?: number; fetch?: Fetch; maxRateLimitWaitS?: number } = {}): WebClientOptions {
  const retries = opts.retries ?? RETRIES;
  return {
    slackApiUrl: apiUrl,
    timeout: ATTEMPT_TIMEOUT_MS,
    retryConfig: { retries, factor: 2, minTimeout: 1_000, maxTimeout: 10_000, maxRetryTime: MAX_RETRY_TIME_MS, randomize: true },
    fetch: cappedRateLimitFetch(opts.fetch ?? globalThis.fetch, opts.maxRateLimitWaitS ?? MAX_RATE_LIMIT_WAIT_S),
  };
}

/** A fetch that answers a 429 with a too-long (or missing) Retry-After as a final `ratelimited` error instead. */
export function cappedRateLimitFetch(inner: Fetch, maxWaitS: number): Fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.status !== 429) return response;
    const header = response.headers.get('retry-after');
    const wait = header === null ? Number.NaN : Number(header);
    if (Number.isFinite(wait) && wait >= 0 && wait <= maxWaitS) return response;
    await response.body?.cancel();
    const body = JSON.stringify({ ok: false, error: 'ratelimited', retry_after: Number.isFinite(wait) ? wait : null, flightdeck: `Slack asked to wait ${header ?? '(unsaid)'}s; the longest wait is ${maxWaitS}s` });
    return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } });
  };
}
