// The incident card (pinned in the incident channel, updated in place) and the one-line listing of open incidents.
import { formatDuration } from '../../../domain/durations.js';
import { incidentId, severityLabel, type Incident } from '../../../domain/incidents.js';
import type { IncidentCardView } from '../../../workflows/incidentPorts.js';
import { slackWords as w } from '../mrkdwn.js';
import { actions, button, context, header, section, type SlackMessage } from './kit.js';

export const ACTION_ACKNOWLEDGE = 'incident_acknowledge';
export const ACTION_ESCALATE = 'incident_escalate';
export const ACTION_RESOLVE = 'incident_resolve';

function statusLine(incident: Incident, view: IncidentCardView): string {
  switch (incident.state) {
    case 'resolved':
      return `${w.emoji('white_check_mark')} *Resolved* by ${w.user(incident.resolvedBy ?? '')} after ${formatDuration((incident.resolvedAt ?? view.now) - incident.declaredAt)}`;
    case 'acknowledged':
      return `${w.emoji('eyes')} *Acknowledged* by ${w.user(incident.acknowledgedBy ?? '')}; the escalation clock is stopped`;
    case 'open': {
      const left = view.dueAt === null ? null : view.dueAt - view.now;
      const clock = left === null ? '' : left > 0 ? ` (${formatDuration(left)} left)` : ` (overdue by ${formatDuration(-left)})`;
      return `${w.emoji('rotating_light')} *Open*: waiting for acknowledgement${clock}`;
    }
  }
}

/** The card: severity, title, commander, response target and time left, status, runbooks, and the buttons while open. */
export function incidentCard(incident: Incident, view: IncidentCardView): SlackMessage {
  const id = incidentId(incident.number);
  const label = severityLabel(incident.severity);
  const value = String(incident.number);
  const runbooks = view.runbooks.length > 0 ? view.runbooks.map((r) => w.link(r.url, r.name)).join(' · ') : 'none configured';
  const blocks: object[] = [
    header(`${label} · ${id} · ${incident.title}`),
    section(`*Title:* ${w.text(incident.title)}`),
    section(
      [
        `*Severity:* ${label}`,
        `*Status:* ${statusLine(incident, view)}`,
        `*Commander:* ${w.user(incident.commander)}`,
        `*Response target:* ${formatDuration(view.targetMs)}${incident.tier > 0 ? ` (escalated to tier ${incident.tier})` : ''}`,
        `*Runbooks:* ${runbooks}`,
      ].join('\n'),
    ),
  ];
  if (incident.state !== 'resolved') {
    blocks.push(
      actions(`incident-${value}`, [
        ...(incident.state === 'open' ? [button({ text: 'Acknowledge', actionId: ACTION_ACKNOWLEDGE, value, style: 'primary' })] : []),
        button({ text: 'Escalate', actionId: ACTION_ESCALATE, value }),
        button({ text: 'Resolve', actionId: ACTION_RESOLVE, value, style: 'danger' }),
      ]),
    );
  } else if (incident.postmortemUrl) {
    blocks.push(context([`Postmortem: ${w.link(incident.postmortemUrl, 'issue')}`]));
  }
  blocks.push(context([`${id} declared by ${w.user(incident.declarer)} ${w.date(incident.declaredAt)}`]));
  return { text: `${label} ${id}: ${w.text(incident.title)} (${incident.state})`, blocks };
}

/** The channel topic (plain, at most 250 characters as Slack allows). */
export function incidentTopic(incident: Incident): string {
  const state = incident.state === 'open' ? 'Open' : incident.state === 'acknowledged' ? 'Acknowledged' : 'Resolved';
  const tail = ` | ${state} | Commander: ${w.user(incident.commander)}`;
  const head = `${severityLabel(incident.severity)} ${incidentId(incident.number)}: `;
  const room = 250 - head.length - tail.length;
  const title = w.text(incident.title.length > room ? `${incident.title.slice(0, Math.max(0, room - 1))}…` : incident.title);
  return `${head}${title}${tail}`;
}

/** `/incident list`: one line per open incident. */
export function incidentList(incidents: Incident[], now: number): string {
  if (incidents.length === 0) return 'No incident is open.';
  const lines = incidents.map((i) => {
    const where = i.channel ? w.channel(i.channel) : 'no channel';
    return `• *${severityLabel(i.severity)}* ${w.bold(incidentId(i.number))} ${w.text(i.title)} (${where}), ${i.state}, commander ${w.user(i.commander)}, open for ${formatDuration(now - i.declaredAt)}`;
  });
  return [`*Open incidents (${incidents.length})*`, ...lines].join('\n');
}
