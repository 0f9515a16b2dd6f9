// Says what happened to an incident once: the timeline entry in the store, a log line, then the channels that hear of it.
import type { ChatThread } from '../ports.js';
import type { IncidentEvent } from '../domain/incidentEvents.js';
import { responseDueAt, rulesOf, runbooksFor } from '../domain/incidentPolicy.js';
import { incidentId, type Incident } from '../domain/incidents.js';
import type { IncidentCardView, IncidentDeps } from './incidentPorts.js';

/** Where an event is said besides the timeline: the incident channel, the incidents channel, a deploy thread. */
export type Audiences = Array<'channel' | 'incidents' | ChatThread>;

/** Records the event, then says it where asked; a failure to say it is logged and never undoes the record. */
export async function note(deps: IncidentDeps, incident: Incident, actor: string, event: IncidentEvent, where: Audiences = ['channel']): Promise<void> {
  const at = deps.clock.now();
  await deps.store.addTimeline(incident.number, { at, actor, event });
  deps.log.info({ incident: incidentId(incident.number), actor, event: event.type }, `incident ${event.type}`);
  for (const target of where) {
    const place = target === 'channel' ? incident.channel : target === 'incidents' ? (deps.config.channels.incidents ?? null) : target;
    if (place === null) continue;
    try {
      await deps.chat.tell(place, incident, actor, event);
    } catch (err) {
      deps.log.error({ err, incident: incidentId(incident.number), event: event.type }, 'could not say an incident event');
    }
  }
}

/** What the card shows now. */
export function cardView(deps: Pick<IncidentDeps, 'config' | 'clock'>, incident: Incident): IncidentCardView {
  const rules = rulesOf(deps.config.incidents, incident.severity);
  return {
    targetMs: rules?.respondWithin ?? 0,
    dueAt: rules ? responseDueAt(incident, rules) : null,
    runbooks: runbooksFor(deps.config.incidents.runbooks, incident.title),
    now: deps.clock.now(),
  };
}

/** Updates the pinned card in place (and the channel topic); logged, never thrown: the change itself is recorded. */
export async function refreshCard(deps: IncidentDeps, incident: Incident, opts: { topic?: boolean } = {}): Promise<void> {
  if (!incident.channel || !incident.cardTs) return;
  const view = cardView(deps, incident);
  try {
    await deps.chat.updateCard(incident, view);
    if (opts.topic) await deps.chat.setTopic(incident.channel, incident, view);
  } catch (err) {
    deps.log.error({ err, incident: incidentId(incident.number) }, 'could not update the incident card');
  }
}
