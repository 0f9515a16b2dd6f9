// The Pager port over a PagerDuty Events API v2 compatible URL: one POST per event, its outcome classified for retries.
import type { Pager, PagerEvent, PagerOutcome } from '../../workflows/incidentPorts.js';

const TIMEOUT_MS = 10_000;

export interface PagerDutyOptions {
  url: string;
  routingKey: string;
  /** a link back to Flightdeck shown in PagerDuty */
  clientUrl?: string;
  fetch?: typeof fetch;
}

/** The Events v2 body (developer.pagerduty.com, "Send an Alert Event"): acknowledge and resolve carry only the dedup key. */
export function eventsV2Body(event: PagerEvent, routingKey: string, clientUrl?: string): Record<string, unknown> {
  const base = { routing_key: routingKey, event_action: event.action, dedup_key: event.dedupKey };
  if (event.action !== 'trigger') return base;
  return {
    ...base,
    client: 'Flightdeck',
    ...(clientUrl ? { client_url: clientUrl } : {}),
    payload: { summary: event.summary, source: event.source, severity: event.severity, timestamp: new Date().toISOString(), component: 'flightdeck', custom_details: event.customDetails },
    ...(event.links.length > 0 ? { links: event.links } : {}),
  };
}

export class PagerDutyEvents implements Pager {
  constructor(private readonly opts: PagerDutyOptions) {}

  /** 202 is accepted; 429 and 5xx (and no answer) may pass later; any other status is a rejected event. */
  async send(event: PagerEvent): Promise<PagerOutcome> {
    let res: Response;
    try {
      res = await (this.opts.fetch ?? fetch)(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(eventsV2Body(event, this.opts.routingKey, this.opts.clientUrl)),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      return { ok: false, retry: true, reason: `no answer (${err instanceof Error ? err.message : String(err)})` };
    }
    const text = await res.text().catch(() => '');
    if (res.status === 202 || res.status === 200) return { ok: true };
    const message = messageOf(text);
    const reason = `HTTP ${res.status}${message ? `: ${message}` : ''}`;
    return { ok: false, retry: res.status === 429 || res.status >= 500, reason };
  }
}

function messageOf(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const errors = Array.isArray(body.errors) ? ` (${body.errors.map(String).join('; ')})` : '';
    return typeof body.message === 'string' ? `${body.message}${errors}`.slice(0, 300) : '';
  } catch {
    return text.slice(0, 200);
  }
}
