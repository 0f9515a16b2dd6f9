// Bounds every Slack Web API call: a per-attempt timeout, a few retries within about a minute, rate-limit waits honoured only
// while short, and no blind repeat of a post whose answer was lost, so a slow, throttling or flaky Slack can neither hold
// the scheduler or shutdown for the SDK's 30 minutes nor post a message twice.
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

/** Methods whose repeat would do it twice (a second message); after a lost answer they are not retried. */
const NOT_IDEMPOTENT = new Set(['chat.postMessage', 'chat.postEphemeral', 'chat.scheduleMessage', 'chat.meMessage', 'conversations.create']);
/** Errors that mean the request never left: repeating it is safe. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

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
    fetch: boundedFetch(opts.fetch ?? globalThis.fetch, opts.maxRateLimitWaitS ?? MAX_RATE_LIMIT_WAIT_S),
  };
}

/**
 * A fetch that answers, as Slack would in its own words, what the WebClient must not retry: a 429 with a too-long (or
 * missing) Retry-After becomes `ratelimited`, and a post whose answer was lost (reset, timeout after sending) becomes
 * `outcome_unknown`. Both reach the caller at once as platform errors; everything else behaves as before.
 */
export function boundedFetch(inner: Fetch, maxWaitS: number): Fetch {
  return async (input, init) => {
    let response: Response;
    try {
      response = await inner(input, init);
    } catch (err) {
      if (!NOT_IDEMPOTENT.has(methodOf(input)) || NOT_SENT.has(codeOf(err))) throw err;
      return slackAnswer({ ok: false, error: 'outcome_unknown', flightdeck: `${methodOf(input)} was sent but its answer was lost; not repeated, as it may have been applied` });
    }
    if (response.status !== 429) return response;
    const header = response.headers.get('retry-after');
    const wait = header === null ? Number.NaN : Number(header);
    if (Number.isFinite(wait) && wait >= 0 && wait <= maxWaitS) return response;
    await response.body?.cancel();
    return slackAnswer({ ok: false, error: 'ratelimited', retry_after: Number.isFinite(wait) ? wait : null, flightdeck: `Slack asked to wait ${header ?? '(unsaid)'}s; the longest wait is ${maxWaitS}s` });
  };
}

function slackAnswer(body: object): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

function methodOf(input: Parameters<Fetch>[0]): string {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  return url.split('?')[0]?.split('/').pop() ?? '';
}

function codeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } })?.cause;
  return typeof cause?.code === 'string' ? cause.code : '';
}

/** First wait before a thread line Slack did not take is sent again, when Slack did not say how long; doubled each time. */
export const LATER_FIRST_MS = 5_000;
export const LATER_MAX_MS = 60_000;

/**
 * After the client's own retries: how long to wait before sending the call again, when its failure means Slack did not
 * apply it and may later (rate-limited beyond the client's wait, Slack or the network down); null when sending again
 * is wrong (refused for a reason, or possibly applied: `outcome_unknown`). `attempt` counts the waits before this one.
 */
export function laterWaitMs(err: unknown, attempt: number): number | null {
  const e = err as { code?: unknown; data?: { error?: unknown; retry_after?: unknown }; retryAfter?: unknown; statusCode?: unknown } | null;
  const backoff = Math.min(LATER_FIRST_MS * 2 ** attempt, LATER_MAX_MS);
  // Slack's Retry-After (seconds), when it said one, and never less than the backoff.
  const asked = (seconds: unknown): number => (Number(seconds) > 0 ? Math.max(Number(seconds) * 1000, backoff) : backoff);
  switch (e?.code) {
    case 'slack_webapi_platform_error':
      return e.data?.error === 'ratelimited' ? asked(e.data.retry_after) : null;
    case 'slack_webapi_rate_limited_error':
      return asked(e.retryAfter);
    case 'slack_webapi_request_error':
      return backoff;
    case 'slack_webapi_http_error':
      return typeof e.statusCode === 'number' && (e.statusCode >= 500 || e.statusCode === 429) ? backoff : null;
    default:
      return null;
  }
}
