// How one audience writes the pieces of a sentence (outside text, code, people, links, dates); Slack, GitHub and plain text each supply one.

/**
 * The pieces a wording is built from. A template writes its own words as literal text (never containing `<`, `>` or
 * `&`) and passes everything else through one of these, so each audience escapes outside text exactly once.
 */
export interface Words {
  /** outside text (a reason, a message from Argo CD or Flagger, a name from the config): escaped for the audience */
  text(s: string): string;
  /** inline code: a version, a sha, a command */
  code(s: string): string;
  bold(s: string): string;
  user(id: string): string;
  group(id: string): string;
  channel(id: string): string;
  /** a link; without a url just the label */
  link(url: string | null, label: string): string;
  /** a point in time, shown in the reader's time zone where the audience can */
  date(ms: number): string;
  /** an emoji by its Slack short name, or nothing where the audience has none */
  emoji(name: string): string;
}

/** UTC date without seconds: "2026-12-01 09:30 UTC". */
export function utcDate(ms: number): string {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return 'an unknown time';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Plain text, for logs, the console, HTTP answers and GitHub Deployment statuses: nothing to escape, nothing to decorate. */
export const plainWords: Words = {
  text: (s) => s,
  code: (s) => s,
  bold: (s) => s,
  user: (id) => `@${id}`,
  group: (id) => `@${id}`,
  channel: (id) => `#${id}`,
  link: (url, label) => (url ? `${label} (${url})` : label),
  date: utcDate,
  emoji: () => '',
};

/** Joins the non-empty parts with a space: an emoji that an audience leaves out leaves no gap. */
export function spaced(...parts: string[]): string {
  return parts.filter((p) => p !== '').join(' ');
}

/** "a, b and c" */
export function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
