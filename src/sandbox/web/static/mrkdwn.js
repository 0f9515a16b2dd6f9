// Slack mrkdwn -> safe HTML for the sandbox page: mentions, links, dates, code, bold/italic/strike, quotes and emoji short names.
// Text is HTML-escaped before any markup is added, so nothing the bot sends can inject HTML into the page.

const HTML = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => HTML[c]);
/** Slack escapes exactly &, < and > in message text; undo that before escaping for HTML. */
const unslack = (s) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The short names Flightdeck and common bots use; others stay as written (`:name:`), as in Slack with a missing emoji. */
export const EMOJI = {
  white_check_mark: '✅', heavy_check_mark: '✔️', x: '❌', warning: '⚠️', rocket: '🚀', rewind: '⏪', lock: '🔒', unlock: '🔓',
  hourglass: '⌛', hourglass_flowing_sand: '⏳', arrows_counterclockwise: '🔄', stopwatch: '⏱️', snowflake: '❄️',
  no_entry_sign: '🚫', no_entry: '⛔', memo: '📝', large_green_circle: '🟢', red_circle: '🔴', large_yellow_circle: '🟡',
  large_blue_circle: '🔵', white_circle: '⚪', hatching_chick: '🐣', bar_chart: '📊', rotating_light: '🚨', fire: '🔥',
  pager: '📟', eyes: '👀', tada: '🎉', bell: '🔔', sos: '🆘', ambulance: '🚑', mag: '🔍', link: '🔗', package: '📦',
  information_source: 'ℹ️', question: '❓', octagonal_sign: '🛑', checkered_flag: '🏁', busts_in_silhouette: '👥',
  bust_in_silhouette: '👤', arrow_right: '➡️', arrow_up: '⬆️', arrow_down: '⬇️', chart_with_upwards_trend: '📈',
  chart_with_downwards_trend: '📉', thumbsup: '👍', '+1': '👍', raised_hand: '✋', construction: '🚧', gear: '⚙️',
  zap: '⚡', vertical_traffic_light: '🚦', clipboard: '📋', calendar: '📅', skull: '💀', bird: '🐦', ship: '🚢',
  hammer_and_wrench: '🛠️', leftwards_arrow_with_hook: '↩️', repeat: '🔁', timer_clock: '⏲️', speech_balloon: '💬',
  memory: '🧠', arrow_heading_up: '⤴️', small_blue_diamond: '🔹', small_orange_diamond: '🔸', sparkles: '✨',
};

export function emoji(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => (EMOJI[name] ? `<span class="emoji" title=":${name}:">${EMOJI[name]}</span>` : all));
}

const safeUrl = (url) => (/^(https?:|mailto:)/i.test(url) ? url : null);

/** One `<...>` control sequence as HTML; `names` resolves people, groups and channels. */
function control(inner, names) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) return `<span class="mention">@${escapeHtml(label || names.person(target.slice(1)))}</span>`;
  if (target.startsWith('#')) return `<span class="mention">#${escapeHtml(label || names.channel(target.slice(1)))}</span>`;
  if (target.startsWith('!subteam^')) return `<span class="mention">${escapeHtml(label || `@${names.group(target.slice(9))}`)}</span>`;
  if (target.startsWith('!date^')) {
    const [, seconds] = target.split('^');
    const when = new Date(Number(seconds) * 1000);
    return `<time title="${escapeHtml(label)}">${escapeHtml(isNaN(when) ? label : when.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' }))}</time>`;
  }
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const url = safeUrl(target);
  if (!url) return escapeHtml(label || target);
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(label || target)}</a>`;
}

function splitOnce(s, sep) {
  const at = s.indexOf(sep);
  return at < 0 ? [s, ''] : [s.slice(0, at), s.slice(at + 1)];
}

/**
 * Renders mrkdwn. Control sequences and code are set aside as placeholders first, so formatting never reaches inside
 * them, and everything else is escaped before `*bold*`, `_italic_`, `~strike~`, quotes and emoji become markup.
 */
export function mrkdwn(text, names) {
  const held = [];
  const hold = (html) => `\u0000${held.push(html) - 1}\u0000`;
  let s = String(text ?? '');
  s = s.replace(/```([\s\S]*?)```/g, (_, code) => hold(`<pre>${escapeHtml(unslack(code.replace(/^\n/, '')))}</pre>`));
  s = s.replace(/`([^`\n]+)`/g, (_, code) => hold(`<code>${escapeHtml(unslack(code))}</code>`));
  s = s.replace(/<([^<>\n]+)>/g, (_, inner) => hold(control(unslack(inner), names)));
  s = escapeHtml(unslack(s));
  s = s.replace(/(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?!\w)/g, '$1<b>$2</b>');
  s = s.replace(/(^|[^\w])_(?!\s)([^_\n]+?)_(?!\w)/g, '$1<i>$2</i>');
  s = s.replace(/(^|[^\w~])~(?!\s)([^~\n]+?)~(?!\w)/g, '$1<s>$2</s>');
  s = emoji(s);
  s = s.replace(/(^|\n)&gt; ?([^\n]*)/g, '$1<blockquote>$2</blockquote>');
  s = s.replace(/\n/g, '<br>').replace(/<\/blockquote><br>/g, '</blockquote>');
  return s.replace(/\u0000(\d+)\u0000/g, (_, i) => held[Number(i)]);
}

/** plain_text objects: escaped, with emoji when `emoji` is not false. */
export function plain(obj) {
  const html = escapeHtml(obj?.text ?? '');
  return obj?.emoji === false ? html : emoji(html);
}

/** A text object of either type. */
export function textObject(obj, names) {
  if (!obj) return '';
  return obj.type === 'mrkdwn' ? mrkdwn(obj.text, names) : plain(obj);
}
