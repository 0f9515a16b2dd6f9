// Texts for environment locks ("stop the line"): who holds it, why, since and until when.
import { formatDuration } from '../../../domain/durations.js';
import type { Lock } from '../../../domain/types.js';
import { escapeMrkdwn, truncate, user } from '../mrkdwn.js';
import { slackDate } from './kit.js';

/** A lock reason is user text: shortened and escaped so `<!channel>` stays inert. */
const REASON_MAX = 500;

function scopeOf(env: string): string {
  return env === '*' ? 'All environments' : `*${escapeMrkdwn(env)}*`;
}

/**
 * "by <@U1> since …, until … (2h left): reason" — shared by status and lock messages.
 * Without `nowMs` the time left is not stated.
 */
export function lockDetails(lock: Lock, nowMs?: number): string {
  let until = ', until unlocked';
  if (lock.until !== null) {
    if (nowMs === undefined) until = `, until ${slackDate(lock.until)}`;
    else if (lock.until > nowMs) until = `, until ${slackDate(lock.until)} (${formatDuration(lock.until - nowMs)} left)`;
    else until = `, expired ${slackDate(lock.until)}`;
  }
  const reason = lock.reason.trim() ? `: ${escapeMrkdwn(truncate(lock.reason.trim(), REASON_MAX))}` : ' (no reason given)';
  return `by ${user(lock.owner)} since ${slackDate(lock.since)}${until}${reason}`;
}

/** Announces a new lock in the channel. */
export function lockMessage(lock: Lock, nowMs: number): string {
  const scope = scopeOf(lock.env);
  const verb = lock.env === '*' ? 'are' : 'is';
  const unlock = `/deploy unlock ${lock.env === '*' ? 'all' : lock.env}`;
  const duration = lock.until !== null ? ` for ${formatDuration(Math.max(0, lock.until - lock.since))}` : '';
  const ends = lock.until !== null ? 'it expires or someone runs' : 'someone runs';
  return `:lock: ${scope} ${verb} locked${duration} ${lockDetails(lock, nowMs)}\nNo deploy starts until ${ends} \`${escapeMrkdwn(unlock)}\`; rollbacks still may.`;
}

/** Announces that a lock was lifted. */
export function unlockMessage(env: string, by: string): string {
  const scope = scopeOf(env);
  const verb = env === '*' ? 'are' : 'is';
  return `:unlock: ${scope} ${verb} unlocked by ${user(by)}. Deploys may start again.`;
}
