// Words incident events and refusals for one audience (Slack, GitHub markdown, plain text); the only place these sentences live.
import { formatDuration } from '../domain/durations.js';
import type { IncidentEvent, IncidentProblem, IncidentUsage, TimelineEntry } from '../domain/incidentEvents.js';
import type { Audience } from '../domain/incidentPolicy.js';
import { incidentId, severityLabel, type Incident } from '../domain/incidents.js';
import { listOf, plural, type Words } from './words.js';

/** The usage lines of `/incident`. */
export function incidentUsage(w: Words): string[] {
  return [
    `${w.code('/incident <sev1..sev4> <title>')} declare an incident: its own channel, paging, the escalation clock`,
    `${w.code('/incident list')} open incidents`,
    `${w.code('/incident update <text>')} post a status update (in the incident channel)`,
    `${w.code('/incident sev <1-4>')} re-grade (in the incident channel)`,
    `${w.code('/incident lead @user')} hand over the commander role (in the incident channel)`,
    `${w.code('/incident resolve')} resolve, with an optional summary (in the incident channel)`,
  ];
}

export function audienceWords(w: Words, audience: Audience): string {
  const parts = [...audience.groups.map((g) => w.group(g)), ...audience.users.map((u) => w.user(u))];
  return parts.length > 0 ? listOf(parts) : 'nobody configured';
}

/** "INC-42" linked to its channel where there is one. */
export function incidentRef(w: Words, incident: Pick<Incident, 'number' | 'channel'>): string {
  const id = w.bold(incidentId(incident.number));
  return incident.channel ? `${id} (${w.channel(incident.channel)})` : id;
}

/** One line for one event; `actor` is who caused it ('flightdeck' for the clock). */
export function incidentEventLine(w: Words, incident: Pick<Incident, 'number' | 'channel' | 'title'>, actor: string, event: IncidentEvent): string {
  const who = actor === 'flightdeck' ? 'Flightdeck' : w.user(actor);
  switch (event.type) {
    case 'declared':
      return `${w.emoji('rotating_light')} ${w.bold(severityLabel(event.severity))} ${incidentRef(w, incident)} declared by ${who}: ${w.text(event.title)}. Commander: ${w.user(event.commander)}; respond within ${formatDuration(event.targetMs)}.`.trimStart();
    case 'declared-from':
      return `Declared from the failed ${event.kind} of ${w.code(event.version)} to ${w.text(event.env)} (${w.link(event.link, event.runId)}).`;
    case 'channel-created':
      return `Incident channel ${w.channel(event.channel)} created.`;
    case 'paged':
      return event.tier === 0
        ? `${w.emoji('pager')} ${w.bold(severityLabel(event.severity))} ${incidentRef(w, incident)} ${w.text(incident.title)}: paging ${audienceWords(w, event.audience)}.`.trimStart()
        : `${w.emoji('pager')} ${incidentRef(w, incident)} ${w.text(incident.title)}: escalated to tier ${event.tier}, paging ${audienceWords(w, event.audience)}.`.trimStart();
    case 'pager-sent':
      return `External pager: ${event.action} sent${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}.`;
    case 'pager-failed':
      return event.retryInMs === null
        ? `${w.emoji('warning')} External pager: ${event.action} failed after ${plural(event.attempt, 'attempt')} (${w.text(event.reason)}); page people by hand.`.trimStart()
        : `${w.emoji('warning')} External pager: ${event.action} failed (${w.text(event.reason)}); retrying in ${formatDuration(event.retryInMs)}.`.trimStart();
    case 'acknowledged':
      return `${w.emoji('eyes')} Acknowledged by ${w.user(event.by)} after ${formatDuration(event.afterMs)}; the escalation clock stopped.`.trimStart();
    case 'escalated':
      return event.why === 'button'
        ? `${w.emoji('arrow_double_up')} ${who} escalated to tier ${event.tier}: ${audienceWords(w, event.audience)}.`.trimStart()
        : `${w.emoji('arrow_double_up')} Nobody acknowledged within ${formatDuration(event.afterMs)}: escalated to tier ${event.tier}, ${audienceWords(w, event.audience)}.`.trimStart();
    case 'regraded':
      return `${who} re-graded ${severityLabel(event.from)} → ${w.bold(severityLabel(event.to))}; respond within ${formatDuration(event.targetMs)} (clock restarted).`;
    case 'commander-changed':
      return `${who} handed the commander role from ${w.user(event.from)} to ${w.user(event.to)}.`;
    case 'update':
      return `${w.emoji('memo')} Update from ${who}: ${w.text(event.text)}`.trimStart();
    case 'delivery':
      return `${event.kind === 'rollback' ? 'Rollback' : 'Deploy'} of ${w.code(event.version)} to ${w.text(event.env)} ${event.outcome} (${w.code(event.runId)}).`;
    case 'resolved':
      return `${w.emoji('white_check_mark')} Resolved by ${w.user(event.by)} after ${formatDuration(event.timeToResolveMs)}${event.summary ? `: ${w.text(event.summary)}` : '.'}`.trimStart();
    case 'postmortem-opened':
      return `Postmortem: ${w.link(event.url, `${event.repo}#${event.number}`)}.`;
    case 'postmortem-failed':
      return `${w.emoji('warning')} Could not open the postmortem issue in ${w.text(event.repo)}: ${w.text(event.reason)}.`.trimStart();
  }
}

/** Time to acknowledge, time to resolve and who did what, from the timeline. */
export function resolveSummary(w: Words, incident: Incident, timeline: TimelineEntry[]): string[] {
  const resolved = timeline.find((e) => e.event.type === 'resolved')?.event;
  const ack = resolved?.type === 'resolved' ? resolved.timeToAcknowledgeMs : null;
  const ttr = resolved?.type === 'resolved' ? resolved.timeToResolveMs : (incident.resolvedAt ?? incident.declaredAt) - incident.declaredAt;
  const roles = new Map<string, Set<string>>();
  const did = (user: string, what: string) => {
    if (user === 'flightdeck') return;
    roles.set(user, (roles.get(user) ?? new Set()).add(what));
  };
  for (const { actor, event } of timeline) {
    if (event.type === 'declared') did(actor, 'declared');
    if (event.type === 'acknowledged') did(event.by, 'acknowledged');
    if (event.type === 'escalated' && event.why === 'button') did(actor, 'escalated');
    if (event.type === 'regraded') did(actor, 're-graded');
    if (event.type === 'commander-changed') did(event.to, 'took command');
    if (event.type === 'update') did(actor, 'posted updates');
    if (event.type === 'resolved') did(event.by, 'resolved');
  }
  const people = [...roles].map(([user, what]) => `${w.user(user)} ${listOf([...what])}`);
  const summary = resolved?.type === 'resolved' && resolved.summary ? resolved.summary : null;
  return [
    `${w.emoji('white_check_mark')} ${w.bold(severityLabel(incident.severity))} ${incidentRef(w, incident)} resolved: ${w.text(incident.title)}`.trimStart(),
    `Time to acknowledge: ${ack === null ? 'never acknowledged' : formatDuration(ack)}. Time to resolve: ${formatDuration(ttr)}.`,
    ...(people.length > 0 ? [`Who did what: ${people.join('; ')}.`] : []),
    ...(summary ? [`Summary: ${w.text(summary)}`] : []),
    ...(incident.postmortemUrl ? [`Postmortem: ${w.link(incident.postmortemUrl, 'issue')}`] : []),
  ];
}

function usageLine(w: Words, usage: IncidentUsage, got: string): string {
  switch (usage) {
    case 'no-title':
      return `Give the incident a title: ${w.code(`/incident ${got || 'sev2'} checkout is failing`)}.`;
    case 'sev-argument':
      return `${w.code('/incident sev')} takes a severity from 1 to 4, got "${w.text(got)}".`;
    case 'lead-argument':
      return `${w.code('/incident lead')} takes one person as an @-mention, got "${w.text(got)}".`;
    case 'update-text':
      return `${w.code('/incident update')} needs the text of the update.`;
    case 'unknown':
      return `"${w.text(got)}" is not an incident command.`;
  }
}

/** The sentence(s) for a refusal. */
export function incidentProblemText(w: Words, p: IncidentProblem): string {
  switch (p.code) {
    case 'incident-usage':
      return [usageLine(w, p.usage, p.got), ...incidentUsage(w)].join('\n');
    case 'unknown-severity':
      return `"${w.text(p.given)}" is not a severity here; use one of ${listOf(p.known.map((s) => w.code(s)))}.`;
    case 'not-incident-channel': {
      const open = p.open.map((i) => incidentRef(w, i));
      return `${w.code(`/incident ${p.command}`)} works in an incident channel. ${open.length > 0 ? `Open: ${open.join(', ')}.` : 'No incident is open.'}`;
    }
    case 'incident-gone':
      return `${p.number === null ? 'That incident' : w.bold(incidentId(p.number))} is not known to Flightdeck.`;
    case 'incident-resolved':
      return `${w.bold(incidentId(p.number))} is already resolved; nothing changed.`;
    case 'same-severity':
      return `${w.bold(incidentId(p.number))} already is ${severityLabel(p.severity)}; nothing changed.`;
    case 'same-commander':
      return `${w.user(p.commander)} already leads ${w.bold(incidentId(p.number))}.`;
    case 'already-acknowledged':
      return `${w.bold(incidentId(p.number))} was already acknowledged by ${w.user(p.by)}.`;
    case 'no-more-tiers':
      return `${w.bold(incidentId(p.number))} already reached the last escalation tier (${plural(p.tiers, 'tier')} configured).`;
    case 'incident-channel-failed':
      return `I could not create the incident channel (${w.text(p.reason)}). The incident is recorded; check that Flightdeck may create channels (channels:manage).`;
    case 'deploy-not-failed':
      return `${w.code(p.runId)} is not a failed deploy or rollback that Flightdeck knows.`;
    case 'incident-action-failed':
      return `Something failed on our side (reference ${w.code(p.reference)}) while handling this; check the incident card, then try again or ask the platform team.`;
    case 'incident-freeze':
      return `${w.text(p.env)} is frozen while ${severityLabel(p.severity)} ${incidentRef(w, p)} is open (${w.text(p.title)}). Rollbacks are still allowed; nothing was deployed.`;
  }
}
