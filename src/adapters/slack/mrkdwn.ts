// Slack mrkdwn pieces: escaping of user text and the few control sequences (mentions, links, code, dates) we emit.
import { utcDate, type Words } from '../../wording/words.js';

const SLACK_USER = /^[UW][A-Z0-9]+$/;
const SLACK_GROUP = /^S[A-Z0-9]+$/;

/**
 * Escapes exactly `&`, `<` and `>`; nothing else. `<…>` starts a control sequence
 * (`<!channel>`, `<@U…>`, `<url|label>`), so unescaped user text could ping a channel or fake a link.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A user mention `<@U…>` for a real user id; anything else is shown as inert text. */
export function user(id: string): string {
  return SLACK_USER.test(id) ? `<@${id}>` : escapeMrkdwn(id);
}

/** A user group mention `<!subteam^S…>` for a real group id; anything else is shown as inert text. */
export function group(id: string): string {
  return SLACK_GROUP.test(id) ? `<!subteam^${id}>` : escapeMrkdwn(id);
}

/**
 * A link `<url|label>` for an http(s) URL; for any other URL only the (escaped) label.
 * A `|` in the label cannot be escaped in mrkdwn, so it becomes a look-alike (U+2223).
 */
export function link(url: string, label: string): string {
  const safeLabel = escapeMrkdwn(label.replace(/\|/g, '\u2223')) || escapeMrkdwn(url);
  const target = httpUrl(url);
  if (!target) return safeLabel;
  return `<${target}|${safeLabel}>`;
}

/** Inline code: escaped, on one line, without backticks that would end it early. */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/`/g, '\u02cb');
  return `\`${escapeMrkdwn(flat) || ' '}\``;
}

/**
 * Shortens text to at most `max` characters, ending with "…" when cut. Never splits a
 * surrogate pair or an `&amp;`-style entity, so it is safe on already-escaped text too.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && cut - amp < 5 && /^&(amp|lt|gt);/.test(text.slice(amp, amp + 5))) {
    if (!text.slice(amp, cut).includes(';')) cut = amp;
  }
  return `${text.slice(0, Math.max(0, cut))}…`;
}

/** Slack's localised date: readers see it in their own time zone; the fallback is UTC. A time no clock can show is said as such. */
export function slackDate(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'an unknown time';
  const seconds = Math.floor(ms / 1000);
  return `<!date^${seconds}^{date_short_pretty} {time}|${utcDate(ms)}>`;
}

/** Slack's user-channel mention `<#C…>` for a real channel id; anything else as inert text. */
export function channel(id: string): string {
  return /^[CGD][A-Z0-9]+$/.test(id) ? `<#${id}>` : escapeMrkdwn(id);
}

/** The words of Slack mrkdwn: the one place run events and problems are escaped for Slack. */
export const slackWords: Words = {
  text: escapeMrkdwn,
  code,
  bold: (s) => `*${escapeMrkdwn(s)}*`,
  user,
  group,
  channel,
  link: (url, label) => (url ? link(url, label) : escapeMrkdwn(label)),
  date: slackDate,
  emoji: (name) => `:${name}:`,
};

/** The URL with characters that would break `<url|label>` encoded, or null when it is not http(s). */
function httpUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return parsed.href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/&/g, '&amp;');
}
