// Resolves an incident: stops the clock and the pager, posts the summary, opens the postmortem issue, marks the card Resolved.
import { IncidentRefusal } from '../domain/incidentEvents.js';
import { incidentId, type Incident } from '../domain/incidents.js';
import { ESCALATION_TIMER } from './incidentClock.js';
import { openIncident } from './incidentActions.js';
import { sendPager } from './incidentPaging.js';
import type { IncidentDeps } from './incidentPorts.js';
import { note, refreshCard } from './incidentTimeline.js';

export async function resolveIncident(deps: IncidentDeps, number: number, user: string, summary: string | null): Promise<Incident> {
  const incident = await openIncident(deps, number);
  const now = deps.clock.now();
  const resolved = await deps.store.updateIncident(number, { states: ['open', 'acknowledged'] }, { state: 'resolved', resolvedAt: now, resolvedBy: user, summary }, now);
  if (!resolved) throw new IncidentRefusal({ code: 'incident-resolved', number });
  await deps.timers.cancel(ESCALATION_TIMER, String(number));
  const timeToAcknowledgeMs = incident.acknowledgedAt === null ? null : incident.acknowledgedAt - incident.declaredAt;
  await note(deps, resolved, user, { type: 'resolved', by: user, summary, timeToAcknowledgeMs, timeToResolveMs: now - incident.declaredAt }, []);
  await sendPager(deps, resolved, 'resolve');
  const withIssue = await openPostmortem(deps, resolved);
  const timeline = await deps.store.timelineOf(number);
  for (const where of [withIssue.channel, deps.config.channels.incidents]) {
    if (!where) continue;
    await deps.chat.summary(where, withIssue, timeline).catch((err: unknown) => deps.log.error({ err, incident: incidentId(number) }, 'could not post the summary'));
  }
  await refreshCard(deps, withIssue, { topic: true });
  return withIssue;
}

/** Opens the postmortem issue where configured; a create whose answer was lost is found by its title, never repeated. */
async function openPostmortem(deps: IncidentDeps, incident: Incident): Promise<Incident> {
  const repo = deps.config.incidents.postmortemRepo;
  if (!repo || !deps.postmortems || incident.postmortemUrl) return incident;
  const title = `Postmortem ${incidentId(incident.number)}: ${incident.title}`.slice(0, 256);
  try {
    const timeline = await deps.store.timelineOf(incident.number);
    const issue = (await deps.postmortems.find(repo, title)) ?? (await deps.postmortems.create(repo, title, deps.postmortemBody(incident, timeline), ['incident', 'postmortem']));
    const updated = await deps.store.updateIncident(incident.number, { states: ['resolved'] }, { postmortemUrl: issue.url }, deps.clock.now());
    await note(deps, incident, 'flightdeck', { type: 'postmortem-opened', repo, number: issue.number, url: issue.url }, []);
    return updated ?? incident;
  } catch (err) {
    deps.log.error({ err, incident: incidentId(incident.number) }, 'could not open the postmortem issue');
    await note(deps, incident, 'flightdeck', { type: 'postmortem-failed', repo, reason: err instanceof Error ? err.message : String(err) }, ['channel']);
    return incident;
  }
}
