// The escalation clock as a table: open and unacknowledged past the target -> next tier, paged and announced, repeated per tier.
import type { Timer } from '../domain/types.js';
import { IncidentRefusal } from '../domain/incidentEvents.js';
import { audienceAt, escalationDueAt, rulesOf } from '../domain/incidentPolicy.js';
import { incidentId, type Incident } from '../domain/incidents.js';
import { PAGER_TIMER, pageTier, retryPager } from './incidentPaging.js';
import type { IncidentDeps } from './incidentPorts.js';
import { note, refreshCard } from './incidentTimeline.js';

export const ESCALATION_TIMER = 'incident-escalation';

/** (Re)schedules the incident's escalation timer, or cancels it when the clock does not run. One timer per incident. */
export async function scheduleEscalation(deps: IncidentDeps, incident: Incident): Promise<void> {
  const rules = rulesOf(deps.config.incidents, incident.severity);
  const due = rules ? escalationDueAt(incident, rules) : null;
  const key = String(incident.number);
  if (due === null) await deps.timers.cancel(ESCALATION_TIMER, key);
  else await deps.timers.schedule(ESCALATION_TIMER, key, due);
}

/**
 * Moves the incident one tier up, if it is still at `fromTier` (compare-and-set: two processes, a timer and a click
 * never escalate twice), pages that tier and restarts the tier's clock.
 */
export async function escalate(deps: IncidentDeps, incident: Incident, actor: string, why: 'no-acknowledgement' | 'button'): Promise<Incident | null> {
  const rules = rulesOf(deps.config.incidents, incident.severity);
  const next = incident.tier + 1;
  const audience = rules ? audienceAt(rules, next) : null;
  if (!rules || !audience) {
    if (why === 'button') throw new IncidentRefusal({ code: 'no-more-tiers', number: incident.number, tiers: rules?.escalate.length ?? 0 });
    return null;
  }
  const states = why === 'button' ? (['open', 'acknowledged'] as const) : (['open'] as const);
  const now = deps.clock.now();
  const moved = await deps.store.updateIncident(incident.number, { states, tier: incident.tier }, { tier: next, clockStartedAt: now }, now);
  if (!moved) return null;
  await note(deps, moved, actor, { type: 'escalated', tier: next, audience, why, afterMs: now - incident.clockStartedAt }, ['channel', 'incidents']);
  await pageTier(deps, moved, next, actor);
  await scheduleEscalation(deps, moved);
  await refreshCard(deps, moved);
  return moved;
}

/** The escalation timer fired: escalate when the incident is still open and its tier's target has passed. */
export async function onEscalationDue(deps: IncidentDeps, timer: Timer): Promise<void> {
  const incident = await deps.store.getIncident(Number(timer.key));
  if (!incident || incident.state !== 'open') return;
  const rules = rulesOf(deps.config.incidents, incident.severity);
  const due = rules ? escalationDueAt(incident, rules) : null;
  if (due === null) return;
  if (due > deps.clock.now()) {
    // A re-grade or click moved the clock after this timer was claimed: wait for the new time.
    await deps.timers.schedule(ESCALATION_TIMER, timer.key, due);
    return;
  }
  const moved = await escalate(deps, incident, 'flightdeck', 'no-acknowledgement');
  if (!moved) deps.log.info({ incident: incidentId(incident.number) }, 'escalation already done elsewhere');
}

/** The timer kinds incidents add to the scheduler. */
export function incidentTimers(deps: IncidentDeps): Record<string, (timer: Timer) => Promise<void>> {
  return {
    [ESCALATION_TIMER]: (timer) => onEscalationDue(deps, timer),
    [PAGER_TIMER]: (timer) => retryPager(deps, timer.key),
  };
}
