// Parses `/deploy` text: forgiving in form (case, spacing, commas, "for 2 hours"), strict in content (known environments, apps, valid versions).
import type { Config, EnvironmentConfig } from './config.js';
import { parseDuration } from './durations.js';
import { findEnvironment, resolveEnvironment } from './environments.js';
import { UserError, type UsageHint } from './problems.js';
import { checkVersion, isOciTag } from './versions.js';

export type DeployCommand =
  | { kind: 'help' }
  | { kind: 'status'; env?: EnvironmentConfig }
  | { kind: 'history'; env?: EnvironmentConfig }
  | { kind: 'lock'; env: EnvironmentConfig | '*'; durationMs?: number; reason?: string }
  | { kind: 'unlock'; env: EnvironmentConfig | '*' }
  | { kind: 'promote'; env: EnvironmentConfig; version: string; apps: string[] };

const HELP_WORDS = ['help', '-h', '--help', '?', 'usage'];
const ALL_WORDS = ['all', '*', 'everything'];

/** Parses the text after `/deploy`; throws UserError with a usage hint when it makes no sense. */
export function parseDeployCommand(config: Config, text: string): DeployCommand {
  const words = tokenize(text);
  const [first, ...rest] = words;
  if (first === undefined || HELP_WORDS.includes(first.toLowerCase())) return { kind: 'help' };
  switch (first.toLowerCase()) {
    case 'status':
    case 'history': {
      const kind = first.toLowerCase() as 'status' | 'history';
      if (rest.length > 1) throw usage({ hint: 'status-args', got: rest.join(' ') });
      return rest[0] === undefined ? { kind } : { kind, env: resolveEnvironment(config, rest[0]) };
    }
    case 'lock':
      return parseLock(config, rest);
    case 'unlock':
      if (rest.length !== 1) throw usage({ hint: 'unlock-args' });
      return { kind: 'unlock', env: targetOf(config, rest[0]!) };
    default:
      return parsePromote(config, first, rest);
  }
}

/** Words of the text; Slack's smart quotes and formatting backticks are taken as plain text. */
function tokenize(text: string): string[] {
  return text.replace(/[\u201C\u201D]/g, '"').replace(/[\u2018\u2019]/g, "'").replace(/`/g, ' ').trim().split(/\s+/).filter(Boolean);
}

function usage(detail: UsageHint): UserError {
  return new UserError({ code: 'usage', command: 'deploy', detail });
}

function targetOf(config: Config, word: string): EnvironmentConfig | '*' {
  return ALL_WORDS.includes(word.toLowerCase()) ? '*' : resolveEnvironment(config, word);
}

function parseLock(config: Config, words: string[]): DeployCommand {
  const [target, ...rest] = words;
  if (target === undefined) throw usage({ hint: 'lock-target' });
  const env = targetOf(config, target);
  let durationMs: number | undefined;
  let reasonWords = rest;
  const [next, after] = rest;
  if (next?.toLowerCase() === 'for' && after !== undefined && /^\d/.test(after)) {
    const taken = takeDuration(rest.slice(1));
    durationMs = taken.ms;
    reasonWords = rest.slice(1 + taken.words);
  } else if (next !== undefined && /^\d/.test(next)) {
    const taken = takeDuration(rest);
    durationMs = taken.ms;
    reasonWords = rest.slice(taken.words);
  }
  const reason = unquote(reasonWords.join(' '));
  return { kind: 'lock', env, ...(durationMs !== undefined ? { durationMs } : {}), ...(reason ? { reason } : {}) };
}

const UNIT_WORDS: Record<string, string> = {
  s: 's', sec: 's', secs: 's', second: 's', seconds: 's',
  m: 'm', min: 'm', mins: 'm', minute: 'm', minutes: 'm',
  h: 'h', hr: 'h', hrs: 'h', hour: 'h', hours: 'h',
  d: 'd', day: 'd', days: 'd',
  w: 'w', week: 'w', weeks: 'w',
};

/** The longest lock a person can give a duration: longer holds are "until unlocked". */
export const MAX_LOCK_MS = 365 * 86_400_000;

/** A duration at the start of the words: "2h", "2 hours", "90min"; throws UserError for a number that is not one. */
function takeDuration(words: string[]): { ms: number; words: number } {
  const [a = '', b = ''] = words;
  const joined = /^\d+$/.test(a) && UNIT_WORDS[b.toLowerCase()] ? { text: `${a}${b}`, words: 2 } : { text: a, words: 1 };
  const match = /^(\d+)\s*([a-z]+)$/i.exec(joined.text);
  const unit = match ? UNIT_WORDS[match[2]!.toLowerCase()] : undefined;
  const ms = match && unit ? parseDuration(`${match[1]}${unit}`) : null;
  if (ms === null || ms <= 0) throw usage({ hint: 'bad-duration', text: joined.text });
  if (ms > MAX_LOCK_MS) throw usage({ hint: 'bad-duration', text: joined.text, max: '365 days' });
  return { ms, words: joined.words };
}

function unquote(text: string): string {
  const trimmed = text.trim();
  const match = /^(["'])(.*)\1$/s.exec(trimmed);
  return (match ? match[2]! : trimmed).trim();
}

function parsePromote(config: Config, envWord: string, rest: string[]): DeployCommand {
  const env = findEnvironment(config, envWord);
  if (!env) {
    // "/deploy v3.0.0 staging": say what was probably meant.
    const swapped = rest[0] !== undefined ? findEnvironment(config, rest[0]) : undefined;
    if (swapped && isOciTag(envWord)) throw usage({ hint: 'environment-first', suggestion: `/deploy ${swapped.name} ${[envWord, ...rest.slice(1)].join(' ')}` });
    resolveEnvironment(config, envWord); // throws the unknown-environment message
  }
  const target = env!;
  const [version, ...appWords] = rest;
  if (version === undefined) throw usage({ hint: 'which-version', env: target.name });
  const apps = [...new Set(appWords.flatMap((w) => w.split(',')).map((w) => w.trim().toLowerCase()).filter(Boolean))];
  const known = config.apps.map((a) => a.name);
  const unknown = apps.filter((a) => !known.includes(a));
  if (unknown.length > 0) {
    throw new UserError({ code: 'unknown-apps', given: unknown, known });
  }
  if (apps.length > 0) checkVersion(version, target, config.apps.filter((a) => apps.includes(a.name)));
  else checkVersionForSome(version, target, config);
  return { kind: 'promote', env: target, version, apps };
}

/**
 * With no apps named, the version must fit at least one app: configs may mix tag- and commit-versioned apps,
 * and which of them an environment runs is its overlay's business (the promotion checks look there).
 */
function checkVersionForSome(version: string, env: EnvironmentConfig, config: Config): void {
  let first: unknown = null;
  for (const app of config.apps) {
    try {
      checkVersion(version, env, [app]);
      return;
    } catch (err) {
      first ??= err;
    }
  }
  if (first) throw first;
}

export type Severity = 'sev1' | 'sev2' | 'sev3' | 'sev4';

/** "SEV1", "sev-1", "Sev 1", "1" -> "sev1"; null when the text is no severity. */
export function parseSeverity(text: string): Severity | null {
  const match = /^(?:sev)?[\s_-]*([1-4])$/i.exec(text.trim());
  return match ? (`sev${match[1]}` as Severity) : null;
}
