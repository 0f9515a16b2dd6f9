// The `/deploy history` message: the last deploys and rollbacks with who, what, when, how it ended and a link.
import type { DeployRequest } from '../../../domain/types.js';
import type { HistoryRow } from '../../../workflows/status.js';
import { code, escapeMrkdwn, link, slackDate, user } from '../mrkdwn.js';
import { LIMITS, header, packLines, section, type SlackMessage } from './kit.js';

const ICON: Record<DeployRequest['state'], string> = {
  pending: '⏳',
  approved: '⏳',
  committed: '⏳',
  syncing: '⏳',
  analysing: '⏳',
  aborting: '⏳',
  succeeded: '✅',
  failed: '❌',
  rejected: '🚫',
  expired: '⌛',
};

function rowText(row: HistoryRow): string {
  const r = row.request;
  const what = r.kind === 'rollback' ? `rollback of *${escapeMrkdwn(r.env)}* to ${code(r.version)}` : `${code(r.version)} to *${escapeMrkdwn(r.env)}*`;
  const apps = r.changes.map((c) => escapeMrkdwn(c.app)).join(', ');
  const by = r.approvals.length > 0 ? `, approved by ${r.approvals.map(user).join(', ')}` : '';
  const state = r.outcome?.result === 'rejected' && r.outcome.withdrawn ? 'withdrawn' : r.state;
  const open = row.link ? ` · ${link(row.link, 'thread')}` : '';
  return `${ICON[r.state]} ${slackDate(r.createdAt)} ${what} (${apps}) by ${user(r.requester)}${by}: ${state}${open}`;
}

export function historyMessage(rows: HistoryRow[], env?: string): SlackMessage {
  const title = `:scroll: Deploy history${env ? ` of ${env}` : ''}`;
  if (rows.length === 0) return { text: 'No deploys or rollbacks recorded yet.', blocks: [header(title), section('_No deploys or rollbacks recorded yet._')] };
  const sections = packLines(rows.map(rowText)).slice(0, LIMITS.blocksPerMessage - 1);
  return { text: `${title.replace(/^:\w+: /, '')}: ${rows.length} entries`, blocks: [header(title), ...sections.map(section)] };
}
