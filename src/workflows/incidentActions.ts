// What people do to an open incident: acknowledge, escalate, re-grade, hand over command, post updates; each re-reads the store.
import { IncidentRefusal } from '../domain/incidentEvents.js';
import { pagerDedupKey, pagesExternally, rulesOf } from '../domain/incidentPolicy.js';
import type { Incident, Severity } from '../domain/incidents.js';
import { escalate, scheduleEscalation } from './incidentClock.js';
import { pageTier, sendPager } from './incidentPaging.js';
import type { IncidentDeps } from './incidentPorts.js';
import { note, refreshCard } from './incidentTimeline.js';

type Command = 'resolve' | 'sev' | 'update' | 'lead';

/** The incident by number, still open; refuses when unknown or resolved. */
export async function openIncident(deps: IncidentDeps, number: number): Promise<Incident> {
  const incident = await deps.store.getIncident(number);
  if (!incident) throw new IncidentRefusal({ code: 'incident-gone', number });
  if (incident.state === 'resolved') throw new IncidentRefusal({ code: 'incident-resolved', number });
  return incident;
}

/** The open incident whose channel this is; refuses elsewhere, listing the open ones. */
export async function incidentOfChannel(deps: IncidentDeps, channel: string, command: Command): Promise<Incident> {
  const incident = await deps.store.incidentInChannel(channel);
  if (!incident) {
    const open = await deps.store.listIncidents(['open', 'acknowledged']);
    throw new IncidentRefusal({ code: 'not-incident-channel', command, open: open.map((i) => ({ number: i.number, channel: i.channel })) });
  }
  if (incident.state === 'resolved') throw new IncidentRefusal({ code: 'incident-resolved', number: incident.number });
  return incident;
}

export async function listOpenIncidents(deps: IncidentDeps): Promise<Incident[]> {
  return deps.store.listIncidents(['open', 'acknowledged']);
}

/** Anyone may acknowledge (a responder or anyone in the channel): the escalation clock stops. */
export async function acknowledgeIncident(deps: IncidentDeps, number: number, user: string): Promise<Incident> {
  const incident = await openIncident(deps, number);
  if (incident.state === 'acknowledged') throw new IncidentRefusal({ code: 'already-acknowledged', number, by: incident.acknowledgedBy ?? '' });
  const now = deps.clock.now();
  const acked = await deps.store.updateIncident(number, { states: ['open'] }, { state: 'acknowledged', acknowledgedAt: incident.acknowledgedAt ?? now, acknowledgedBy: user }, now);
  if (!acked) return acknowledgeIncident(deps, number, user);
  await scheduleEscalation(deps, acked);
  await note(deps, acked, user, { type: 'acknowledged', by: user, afterMs: now - incident.clockStartedAt }, ['channel']);
  await refreshCard(deps, acked, { topic: true });
  await sendPager(deps, acked, 'acknowledge');
  return acked;
}

/** Escalate at once to the next tier, acknowledged or not. A click that lost a race to another escalation does nothing. */
export async function escalateIncident(deps: IncidentDeps, number: number, user: string): Promise<void> {
  const incident = await openIncident(deps, number);
  await escalate(deps, incident, user, 'button');
}

/**
 * Re-grade: the new severity's target, responders, paging and freeze apply, and the clock restarts from now (the incident
 * is open again, tier 0, until someone acknowledges at the new grade).
 */
export async function regradeIncident(deps: IncidentDeps, channel: string, user: string, severity: Severity): Promise<Incident> {
  const incident = await incidentOfChannel(deps, channel, 'sev');
  if (incident.severity === severity) throw new IncidentRefusal({ code: 'same-severity', number: incident.number, severity });
  const rules = rulesOf(deps.config.incidents, severity);
  if (!rules) throw new IncidentRefusal({ code: 'unknown-severity', given: severity, known: [] });
  const now = deps.clock.now();
  const pagerKey = incident.pagerKey ?? (deps.pager && pagesExternally(deps.config.incidents, severity) ? pagerDedupKey(incident) : null);
  const regraded = await deps.store.updateIncident(
    incident.number,
    { states: [incident.state], tier: incident.tier },
    { severity, state: 'open', tier: 0, clockStartedAt: now, acknowledgedBy: null, pagerKey },
    now,
  );
  if (!regraded) return regradeIncident(deps, channel, user, severity);
  await note(deps, regraded, user, { type: 'regraded', from: incident.severity, to: severity, targetMs: rules.respondWithin }, ['channel', 'incidents']);
  await pageTier(deps, regraded, 0, user);
  await scheduleEscalation(deps, regraded);
  await refreshCard(deps, regraded, { topic: true });
  if (pagesExternally(deps.config.incidents, severity)) await sendPager(deps, regraded, 'trigger');
  // Graded down out of the external pager's severities: its alert would page on for nothing, so it is resolved.
  else if (incident.pagerKey && pagesExternally(deps.config.incidents, incident.severity)) await sendPager(deps, regraded, 'resolve');
  return regraded;
}

export async function changeCommander(deps: IncidentDeps, channel: string, user: string, to: string): Promise<Incident> {
  const incident = await incidentOfChannel(deps, channel, 'lead');
  if (incident.commander === to) throw new IncidentRefusal({ code: 'same-commander', number: incident.number, commander: to });
  const changed = await deps.store.updateIncident(incident.number, { states: ['open', 'acknowledged'] }, { commander: to }, deps.clock.now());
  if (!changed) throw new IncidentRefusal({ code: 'incident-resolved', number: incident.number });
  await deps.chat.invite(changed.channel ?? channel, [to]).catch((err: unknown) => deps.log.error({ err }, 'could not invite the new commander'));
  await note(deps, changed, user, { type: 'commander-changed', from: incident.commander, to }, ['channel']);
  await refreshCard(deps, changed, { topic: true });
  return changed;
}

export async function postUpdate(deps: IncidentDeps, channel: string, user: string, text: string): Promise<void> {
  const incident = await incidentOfChannel(deps, channel, 'update');
  await note(deps, incident, user, { type: 'update', text }, ['channel']);
}
