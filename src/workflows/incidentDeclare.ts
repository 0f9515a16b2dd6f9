// Declares an incident: the record, its channel (named by Slack's rules), responders invited, the pinned card, paging, the clock.
import { incidentChannelName } from '../domain/incidentChannel.js';
import { IncidentRefusal } from '../domain/incidentEvents.js';
import { pagerDedupKey, pagesExternally, rulesOf } from '../domain/incidentPolicy.js';
import { incidentId, type Incident, type IncidentOrigin, type Severity } from '../domain/incidents.js';
import { scheduleEscalation } from './incidentClock.js';
import { pageTier, sendPager } from './incidentPaging.js';
import type { IncidentDeps } from './incidentPorts.js';
import { cardView, note } from './incidentTimeline.js';

/** How many names are tried when `inc-42-title` is taken (`-2` ... `-N`). */
const NAME_ATTEMPTS = 20;

export interface DeclareInput {
  severity: Severity;
  title: string;
  user: string;
  origin?: IncidentOrigin;
}

export async function declareIncident(deps: IncidentDeps, input: DeclareInput): Promise<Incident> {
  const rules = rulesOf(deps.config.incidents, input.severity);
  if (!rules) throw new IncidentRefusal({ code: 'unknown-severity', given: input.severity, known: [] });
  const now = deps.clock.now();
  let incident = await deps.store.createIncident({ severity: input.severity, title: input.title, declarer: input.user, declaredAt: now, origin: input.origin ?? null });
  const log = deps.log.child({ incident: incidentId(incident.number) });

  const channel = await createChannel(deps, incident).catch(async (err: unknown) => {
    // Without a channel nobody can work (or resolve) it: close the record, so a ghost incident freezes nothing.
    const closed = { state: 'resolved' as const, resolvedAt: deps.clock.now(), resolvedBy: input.user, summary: 'closed: its channel could not be created' };
    await deps.store.updateIncident(incident.number, { states: ['open'] }, closed, deps.clock.now()).catch((again: unknown) => log.error({ err: again }, 'could not close the incident'));
    throw err;
  });
  incident = (await deps.store.updateIncident(incident.number, { states: ['open'] }, { channel: channel.id, channelName: channel.name }, now)) ?? incident;
  const declared = { type: 'declared', severity: incident.severity, title: incident.title, commander: incident.commander, targetMs: rules.respondWithin } as const;
  await note(deps, incident, input.user, declared, input.origin?.thread ? [input.origin.thread] : []);
  if (input.origin) await noteOrigin(deps, incident, input.user, input.origin);

  await deps.chat.invite(channel.id, [input.user]).catch((err: unknown) => log.error({ err }, 'could not invite the declarer'));
  const view = cardView(deps, incident);
  const cardTs = await deps.chat.postCard(channel.id, incident, view);
  incident = (await deps.store.updateIncident(incident.number, { states: ['open', 'acknowledged'] }, { cardTs }, deps.clock.now())) ?? incident;
  await deps.chat.pin(channel.id, cardTs).catch((err: unknown) => log.error({ err }, 'could not pin the card'));
  await deps.chat.setTopic(channel.id, incident, view).catch((err: unknown) => log.error({ err }, 'could not set the topic'));

  await pageTier(deps, incident, 0, input.user);
  await scheduleEscalation(deps, incident);
  if (deps.pager && pagesExternally(deps.config.incidents, incident.severity)) {
    incident = (await deps.store.updateIncident(incident.number, { states: ['open', 'acknowledged'] }, { pagerKey: pagerDedupKey(incident) }, deps.clock.now())) ?? incident;
    await sendPager(deps, incident, 'trigger');
  }
  return incident;
}

/** Creates `inc-<n>-<slug>`, then `-2`, `-3`, ... while the name is taken. */
async function createChannel(deps: IncidentDeps, incident: Incident): Promise<{ id: string; name: string }> {
  let reason = 'every name was taken';
  for (let attempt = 1; attempt <= NAME_ATTEMPTS; attempt += 1) {
    const outcome = await deps.chat.createChannel(incidentChannelName(incident.number, incident.title, attempt));
    if (outcome.created) return { id: outcome.id, name: outcome.name };
    if (outcome.why !== 'name-taken') {
      reason = outcome.why;
      break;
    }
  }
  throw new IncidentRefusal({ code: 'incident-channel-failed', reason });
}

/** The deploy the incident came from is on its timeline, linking the deploy's thread (which heard of the declare above). */
async function noteOrigin(deps: IncidentDeps, incident: Incident, user: string, origin: IncidentOrigin): Promise<void> {
  const link = origin.thread ? await deps.chat.permalink(origin.thread).catch(() => null) : null;
  await note(deps, incident, user, { type: 'declared-from', runId: origin.runId, kind: origin.kind, env: origin.env, version: origin.version, link }, []);
}
