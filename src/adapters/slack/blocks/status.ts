// The `/deploy status` message: per environment its lock or freeze, Argo CD live state and desired versions.
import type { EnvironmentStatus } from '../../../domain/types.js';
import { code, escapeMrkdwn, link, slackDate, truncate, user } from '../mrkdwn.js';
import { LIMITS, header, packLines, section, shortSha, type SlackMessage } from './kit.js';
import { lockDetails } from './lock.js';

const HEALTH_ICON: Record<string, string> = {
  Healthy: '✅',
  Progressing: '⏳',
  Degraded: '❌',
  Suspended: '⏸️',
  Missing: '❓',
  Unknown: '❔',
};

/** `nowMs` only adds how long locks have left; without it their end time is shown. */
export function statusMessage(rows: EnvironmentStatus[], nowMs?: number): SlackMessage {
  if (rows.length === 0) return { text: 'No environments configured.', blocks: [section('No environments configured.')] };
  const texts = rows.map((row) => environmentText(row, nowMs));
  const room = LIMITS.blocksPerMessage - 1;
  let sections = texts.length <= room ? texts : packLines(texts, LIMITS.sectionText, '\n\n');
  if (sections.length > room) {
    const shown = sections.slice(0, room - 1);
    sections = [...shown, `…and more environments; ask for one with \`/deploy status <env>\``];
  }
  return { text: fallbackText(rows), blocks: [header(':bar_chart: Deploy status'), ...sections.map(section)] };
}

/** One environment: name and gate, live state, desired versions (at most one section's worth). */
export function environmentText(row: EnvironmentStatus, nowMs?: number): string {
  const max = LIMITS.sectionText - 40;
  let text = truncate(`*${escapeMrkdwn(row.env)}*  ${gateText(row, nowMs)}`, max) + '\n' + liveText(row);
  const lines = [...appLines(row), ...waitingLines(row)];
  for (let i = 0; i < lines.length; i++) {
    if (text.length + 1 + lines[i]!.length > max) return `${text}\n…and more apps`;
    text += '\n' + lines[i]!;
  }
  return text;
}

function gateText(row: EnvironmentStatus, nowMs?: number): string {
  const parts: string[] = [];
  if (row.lock) {
    const scope = row.lock.env === '*' ? ' (all environments)' : '';
    parts.push(`:lock: Locked${scope} ${lockDetails(row.lock, nowMs)}`);
  }
  if (row.frozenBy) parts.push(`:snowflake: Frozen: ${escapeMrkdwn(row.frozenBy)}`);
  return parts.length ? parts.join(' · ') : ':large_green_circle: open';
}

function liveText(row: EnvironmentStatus): string {
  if (!row.live) return '⚠️ Argo CD: live state unavailable';
  const { syncStatus, health, revision, operationPhase } = row.live;
  const icon = HEALTH_ICON[health] ?? '❔';
  const sync = syncStatus === 'Synced' ? 'Synced' : `⚠️ ${escapeMrkdwn(syncStatus)}`;
  const at = revision ? ` at ${code(shortSha(revision))}` : '';
  const op = operationPhase ? ` · operation ${escapeMrkdwn(operationPhase)}` : '';
  return `Argo CD: ${sync}${at} · ${icon} ${escapeMrkdwn(health)}${op}`;
}

function appLines(row: EnvironmentStatus): string[] {
  if (row.apps.length === 0) return ['_no apps_'];
  const items = row.apps.map((app) => `${escapeMrkdwn(app.app)} ${app.desired === null ? '_not set_' : code(app.desired)}`);
  // several apps per line keep the message short; packLines keeps each line whole
  return packLines(items, 200, ' · ');
}

function waitingLines(row: EnvironmentStatus): string[] {
  return (row.waiting ?? []).map((w) => {
    const what = w.kind === 'rollback' ? `rollback to ${code(w.version)}` : code(w.version);
    const until = w.expiresAt !== null ? `, expires ${slackDate(w.expiresAt)}` : '';
    const open = w.link ? ` · ${link(w.link, 'open request')}` : '';
    return `:hourglass_flowing_sand: waiting: ${what} by ${user(w.requester)}, ${w.approvals} of ${w.required} approvals${until}${open}`;
  });
}

function fallbackText(rows: EnvironmentStatus[]): string {
  const parts = rows.map((row) => {
    const versions = [...new Set(row.apps.map((app) => app.desired ?? '-'))];
    const gate = row.lock ? ', locked' : row.frozenBy ? ', frozen' : '';
    return `${row.env} ${versions.length === 1 ? versions[0] : `${versions.length} versions`}${gate}`;
  });
  return truncate(escapeMrkdwn(`Deploy status: ${parts.join('; ')}`), LIMITS.fallbackText);
}
