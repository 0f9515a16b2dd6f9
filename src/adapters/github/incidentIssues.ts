// Postmortem issues on GitHub: the PostmortemIssues port over Octokit, and the issue body (timeline + template) in GitHub markdown.
import type { Octokit } from '@octokit/rest';
import { formatDuration } from '../../domain/durations.js';
import type { TimelineEntry } from '../../domain/incidentEvents.js';
import { incidentId, severityLabel, type Incident } from '../../domain/incidents.js';
import { incidentEventLine, resolveSummary } from '../../wording/incidentEvents.js';
import { utcDate, type Words } from '../../wording/words.js';
import type { PostmortemIssues } from '../../workflows/incidentPorts.js';

/** Escapes GitHub markdown and HTML, and keeps `@name` and `#123` from mentioning people or linking issues. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+\-.!|~>]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/@/g, '@\u200b')
    .replace(/\r?\n/g, ' ');
}

/** GitHub markdown words: Slack people and channels are not GitHub accounts, so they are shown as inert code. */
export const githubWords: Words = {
  text: escapeMarkdown,
  code: (s) => `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/@/g, '&#64;')}</code>`,
  bold: (s) => `**${escapeMarkdown(s)}**`,
  user: (id) => `Slack user ${githubWords.code(id)}`,
  group: (id) => `Slack group ${githubWords.code(id)}`,
  channel: (id) => `Slack channel ${githubWords.code(id)}`,
  link: (url, label) => (url && /^https?:\/\//.test(url) ? `[${escapeMarkdown(label)}](${url.replace(/[()\s]/g, encodeURIComponent)})` : escapeMarkdown(label)),
  date: utcDate,
  emoji: () => '',
};

/** The postmortem issue body: facts, the summary, the timeline and the template people fill in. */
export function postmortemBody(incident: Incident, timeline: TimelineEntry[]): string {
  const w = githubWords;
  const rows = timeline.map((e) => `| ${utcDate(e.at)} | ${incidentEventLine(w, incident, e.actor, e.event).replace(/\|/g, '\\|')} |`);
  return [
    `${severityLabel(incident.severity)} ${incidentId(incident.number)}: ${w.text(incident.title)}`,
    '',
    `- Declared: ${utcDate(incident.declaredAt)} by ${w.user(incident.declarer)}; commander ${w.user(incident.commander)}`,
    `- Resolved: ${incident.resolvedAt === null ? 'not yet' : `${utcDate(incident.resolvedAt)} by ${w.user(incident.resolvedBy ?? '')} (after ${formatDuration(incident.resolvedAt - incident.declaredAt)})`}`,
    ...(incident.channelName ? [`- Slack channel: #${w.text(incident.channelName)}`] : []),
    '',
    ...resolveSummary(w, incident, timeline).slice(1).map((line) => `${line}  `),
    '',
    '## Timeline',
    '',
    '| time (UTC) | event |',
    '| --- | --- |',
    ...rows,
    '',
    '## Impact',
    '',
    '_Who and what was affected, for how long._',
    '',
    '## Root cause',
    '',
    '_Why it happened (five whys)._',
    '',
    '## What went well',
    '',
    '- ',
    '',
    '## What went wrong',
    '',
    '- ',
    '',
    '## Action items',
    '',
    '- [ ] ',
    '',
    `_Opened by Flightdeck from ${incidentId(incident.number)}._`,
  ].join('\n');
}

export class GitHubPostmortems implements PostmortemIssues {
  constructor(private readonly octokit: Octokit) {}

  /** Looks through the newest issues labelled `postmortem` (one page): enough to find a create whose answer was lost. */
  async find(repo: string, title: string): Promise<{ number: number; url: string } | null> {
    const [owner, name] = repo.split('/') as [string, string];
    const res = await this.octokit.rest.issues.listForRepo({ owner, repo: name, state: 'all', labels: 'postmortem', per_page: 100, sort: 'created', direction: 'desc' });
    const found = res.data.find((issue) => issue.title === title && !issue.pull_request);
    return found ? { number: found.number, url: found.html_url } : null;
  }

  async create(repo: string, title: string, body: string, labels: string[]): Promise<{ number: number; url: string }> {
    const [owner, name] = repo.split('/') as [string, string];
    const res = await this.octokit.rest.issues.create({ owner, repo: name, title, body, labels });
    return { number: res.data.number, url: res.data.html_url };
  }
}
