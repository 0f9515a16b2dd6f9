// The MetricsQuery port over Prometheus's HTTP API (GET /api/v1/query), bounded by a timeout so a slow Prometheus never holds a reply.
import type { MetricsQuery } from '../../ports.js';

export interface PrometheusOptions {
  /** per query; Flagger's own client waits 5 s, a Slack reply should not */
  timeoutMs?: number;
  onRequest?: (seconds: number, ok: boolean) => void;
}

/** Prometheus's answer envelope (https://prometheus.io/docs/prometheus/latest/querying/api/). */
interface QueryAnswer {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

export class PrometheusClient implements MetricsQuery {
  constructor(
    private readonly url: string,
    private readonly opts: PrometheusOptions = {},
  ) {}

  /** The first sample's value (as Flagger's RunQuery takes it), null for an empty result or NaN; rejects on any failure. */
  async instant(query: string, opts: { address?: string | null } = {}): Promise<number | null> {
    const base = new URL(opts.address || this.url);
    const target = new URL(`${base.pathname.replace(/\/+$/, '')}/api/v1/query`, base);
    target.searchParams.set('query', query.replace(/\s+/g, ' ').trim());
    const started = performance.now();
    let ok = false;
    try {
      const res = await fetch(target, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 2_000) });
      const body = (await res.json().catch(() => ({}))) as QueryAnswer;
      if (!res.ok || body.status !== 'success') throw new Error(`prometheus answered ${res.status}: ${body.error ?? 'no error text'}`);
      ok = true;
      return sampleOf(body.data);
    } finally {
      this.opts.onRequest?.((performance.now() - started) / 1000, ok);
    }
  }
}

function sampleOf(data: QueryAnswer['data']): number | null {
  const result = data?.result;
  let raw: unknown;
  if (data?.resultType === 'scalar' && Array.isArray(result)) raw = result[1];
  else if (data?.resultType === 'vector' && Array.isArray(result)) raw = (result[0] as { value?: unknown[] } | undefined)?.value?.[1];
  else return null;
  if (typeof raw !== 'string') return null;
  const value = Number.parseFloat(raw);
  return Number.isFinite(value) ? value : null;
}
