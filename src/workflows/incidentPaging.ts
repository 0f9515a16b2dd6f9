// Pages people: invites a tier's responders to the incident channel and announces it; sends external pager events with retries.
import type { PagerAction } from '../domain/incidentEvents.js';
import { audienceAt, pagerDedupKey, pagerSeverity, pagesExternally, rulesOf, type Audience } from '../domain/incidentPolicy.js';
import { incidentId, severityLabel, type Incident } from '../domain/incidents.js';
import type { IncidentDeps } from './incidentPorts.js';
import { note } from './incidentTimeline.js';

export const PAGER_TIMER = 'incident-pager';
/** Attempts per pager event before Flightdeck gives up and says so. */
export const PAGER_ATTEMPTS = 5;
const PAGER_BACKOFF_MS = 5_000;
const PAGER_BACKOFF_CAP_MS = 120_000;

/** 5s, 10s, 20s, ... at most 2 minutes. */
export function pagerBackoff(attempt: number): number {
  return Math.min(PAGER_BACKOFF_CAP_MS, PAGER_BACKOFF_MS * 2 ** (attempt - 1));
}

/** The users of an audience, its groups resolved through Slack (cached briefly). */
export async function usersOf(deps: IncidentDeps, audience: Audience): Promise<string[]> {
  const groups = await deps.members.of(audience.groups);
  return [...new Set([...audience.users, ...[...groups.values()].flat()])];
}

/** Invites the tier's people to the incident channel and announces the page in the incidents channel (and the incident channel). */
export async function pageTier(deps: IncidentDeps, incident: Incident, tier: number, actor: string): Promise<Audience | null> {
  const rules = rulesOf(deps.config.incidents, incident.severity);
  const audience = rules ? audienceAt(rules, tier) : null;
  if (!audience) return null;
  if (incident.channel) {
    try {
      const users = await usersOf(deps, audience);
      if (users.length > 0) await deps.chat.invite(incident.channel, users);
    } catch (err) {
      deps.log.error({ err, incident: incidentId(incident.number), tier }, 'could not invite responders');
    }
  }
  if (tier === 0) await note(deps, incident, actor, { type: 'paged', severity: incident.severity, audience, tier, channel: incident.channel }, ['incidents']);
  return audience;
}

/**
 * Sends one pager event for the incident (first attempt now, retries through the store's timers). Returns at once when
 * no pager is configured or, for acknowledge/resolve, when nothing was ever triggered.
 */
export async function sendPager(deps: IncidentDeps, incident: Incident, action: PagerAction, attempt = 1): Promise<void> {
  if (!deps.pager) return;
  if (action === 'trigger' && !pagesExternally(deps.config.incidents, incident.severity)) return;
  const dedupKey = incident.pagerKey ?? (action === 'trigger' ? pagerDedupKey(incident) : null);
  if (!dedupKey) return;
  const outcome = await deps.pager.send({
    action,
    dedupKey,
    summary: `${severityLabel(incident.severity)} ${incidentId(incident.number)}: ${incident.title}`.slice(0, 1024),
    severity: pagerSeverity(incident.severity),
    source: 'flightdeck',
    links: [],
    customDetails: { incident: incidentId(incident.number), severity: severityLabel(incident.severity), commander: incident.commander, ...(incident.channelName ? { channel: `#${incident.channelName}` } : {}) },
  }).catch((err: unknown) => ({ ok: false as const, retry: true, reason: err instanceof Error ? err.message : String(err) }));
  if (outcome.ok) {
    await note(deps, incident, 'flightdeck', { type: 'pager-sent', action, attempt });
    if (action === 'trigger') await followTrigger(deps, incident.number);
    return;
  }
  const retryInMs = outcome.retry && attempt < PAGER_ATTEMPTS ? pagerBackoff(attempt) : null;
  if (retryInMs !== null) await deps.timers.schedule(PAGER_TIMER, pagerTimerKey(incident.number, action, attempt + 1), deps.clock.now() + retryInMs);
  await note(deps, incident, 'flightdeck', { type: 'pager-failed', action, attempt, reason: outcome.reason, retryInMs });
}

/**
 * A trigger that went out after the incident was acknowledged or resolved is followed by that action: whoever pressed
 * Acknowledge before the declare reached its page (or while a failed trigger waited for its retry) found no pager alert
 * to acknowledge, and the alert would otherwise page on for an incident people already have.
 */
async function followTrigger(deps: IncidentDeps, number: number): Promise<void> {
  const now = await deps.store.getIncident(number);
  if (now?.state === 'acknowledged') await sendPager(deps, now, 'acknowledge');
  else if (now?.state === 'resolved') await sendPager(deps, now, 'resolve');
}

export function pagerTimerKey(number: number, action: PagerAction, attempt: number): string {
  return `${number}:${action}:${attempt}`;
}

/** A retry timer fired: sends the event again unless the incident moved on (a trigger after resolve is pointless). */
export async function retryPager(deps: IncidentDeps, key: string): Promise<void> {
  const [n, action, attempt] = key.split(':');
  const incident = await deps.store.getIncident(Number(n));
  if (!incident || (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve')) return;
  if (action === 'trigger' && incident.state === 'resolved') return;
  if (action === 'acknowledge' && incident.state !== 'acknowledged') return;
  await sendPager(deps, incident, action, Number(attempt));
}
