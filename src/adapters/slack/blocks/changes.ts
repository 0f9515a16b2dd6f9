// Renders what a request changes per app (versions and the commits between them) within Slack's size limits.
import type { AppChange, CommitSummary } from '../../../domain/types.js';
import { code, escapeMrkdwn, link, truncate } from '../mrkdwn.js';
import { LIMITS, packLines, section } from './kit.js';

/** At most this many commits are listed per app; the rest are counted and linked. */
export const COMMITS_SHOWN = 10;
const TITLE_MAX = 150;
const AUTHOR_MAX = 60;
/** Room kept for the "…and N more" line (a compare URL is rarely longer). */
const MORE_RESERVE = 400;

function versions(change: AppChange): string {
  const from = change.from === null ? '_new_' : code(change.from);
  const compare = change.compare?.url ? ` · ${link(change.compare.url, 'compare')}` : '';
  return `*${escapeMrkdwn(change.app)}*  ${from} → ${code(change.to)}${compare}`;
}

function commitLine(commit: CommitSummary): string {
  const title = truncate(commit.title.replace(/[\r\n]+/g, ' ').trim(), TITLE_MAX);
  const author = truncate(commit.author, AUTHOR_MAX);
  return `• ${escapeMrkdwn(title)} — ${escapeMrkdwn(author)}`;
}

function moreLine(more: number, url: string | null): string {
  const compare = url ? ` · ${link(url, 'full compare')}` : '';
  const line = `…and ${more} more${compare}`;
  return line.length <= MORE_RESERVE ? line : `…and ${more} more`;
}

/** One app's change with its commits, newest last, at most `max` characters. */
export function changeText(change: AppChange, max: number = LIMITS.sectionText): string {
  const head = versions(change);
  if (change.from === null) return `${head}\n_first deploy_`;
  if (change.from === change.to) return `${head}\n_already running this version_`;
  const compare = change.compare;
  if (!compare) return `${head}\n_commits not available_`;
  if (compare.total === 0 || compare.commits.length === 0) {
    return compare.total === 0 ? `${head}\n_no new commits_` : `${head}\n${moreLine(compare.total, compare.url)}`;
  }
  // newest last; when capped, the newest are the ones worth reading
  const candidates = compare.commits.slice(-COMMITS_SHOWN);
  const lines: string[] = [];
  let length = head.length;
  for (let i = candidates.length - 1; i >= 0; i--) {
    const line = commitLine(candidates[i]!);
    if (length + 1 + line.length > max - MORE_RESERVE) break;
    lines.unshift(line);
    length += 1 + line.length;
  }
  const more = Math.max(compare.total, compare.commits.length) - lines.length;
  if (more > 0) lines.push(moreLine(more, compare.url));
  return [head, ...lines].join('\n');
}

/** One app's change on one line, for requests with many apps. */
export function compactChangeText(change: AppChange): string {
  const head = versions(change);
  if (change.from === null) return `${head} · first deploy`;
  const total = change.compare?.total;
  if (total === undefined) return head;
  return `${head} · ${total === 0 ? 'no new commits' : `${total} commit${total === 1 ? '' : 's'}`}`;
}

/**
 * Sections describing the changes in at most `budget` blocks: one per app when they fit,
 * else packed together, else one line per app, else the first apps and a count of the rest.
 */
export function changeBlocks(changes: AppChange[], budget: number): object[] {
  if (changes.length === 0) return [section('_no apps change_')];
  const room = Math.max(1, budget);
  const detailed = changes.map((change) => changeText(change));
  if (detailed.length <= room) return detailed.map(section);
  const packed = packLines(detailed, LIMITS.sectionText, '\n\n');
  if (packed.length <= room) return packed.map(section);
  const compact = changes.map(compactChangeText);
  const packedCompact = packLines(compact);
  if (packedCompact.length <= room) return packedCompact.map(section);
  // Extreme case: show what fits and count the rest.
  const shown: string[] = [];
  for (const line of compact) {
    const trial = packLines([...shown, line, '…and 99999 more apps']);
    if (trial.length > room) break;
    shown.push(line);
  }
  return packLines([...shown, `…and ${changes.length - shown.length} more apps`]).map(section);
}
