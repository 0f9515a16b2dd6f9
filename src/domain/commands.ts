// Parses `/deploy` text: forgiving in form (case, spacing, commas, "for 2 hours"), strict in content (known environments, apps, valid versions).
import type { Config, EnvironmentConfig } from '../config/schema.js';
import { parseDuration } from '../config/durations.js';
import { findEnvironment, resolveEnvironment } from './environments.js';
import { UserError } from './errors.js';
import { checkVersion, isOciTag } from './versions.js';

export type DeployCommand =
  | { kind: 'help' }
  | { kind: 'status'; env?: EnvironmentConfig }
  | { kind: 'lock'; env: EnvironmentConfig | '*'; durationMs?: number; reason?: string }
  | { kind: 'unlock'; env: EnvironmentConfig | '*' }
  | { kind: 'promote'; env: EnvironmentConfig; version: string; apps: string[] };

export const DEPLOY_USAGE = [
  '`/deploy <env> <version> [app ...]` promote a release',
  '`/deploy status [env]` what runs where',
  '`/deploy lock <env|all> [for <duration>] [reason]` hold deploys',
  '`/deploy unlock <env|all>` release the hold',
  '`/deploy help` this help',
].join('\n');

const HELP_WORDS = ['help', '-h', '--help', '?', 'usage'];
const ALL_WORDS = ['all', '*', 'everything'];

/** Parses the text after `/deploy`; throws UserError with a usage hint when it makes no sense. */
export function parseDeployCommand(config: Config, text: string): DeployCommand {
  const words = tokenize(text);
  const [first, ...rest] = words;
  if (first === undefined || HELP_WORDS.includes(first.toLowerCase())) return { kind: 'help' };
  switch (first.toLowerCase()) {
    case 'status':
      if (rest.length > 1) throw usage(`\`/deploy status\` takes at most one environment, got "${rest.join(' ')}".`);
      return rest[0] === undefined ? { kind: 'status' } : { kind: 'status', env: resolveEnvironment(config, rest[0]) };
    case 'lock':
      return parseLock(config, rest);
    case 'unlock':
      if (rest.length !== 1) throw usage('`/deploy unlock` takes one environment or `all`.');
      return { kind: 'unlock', env: targetOf(config, rest[0]!) };
    default:
      return parsePromote(config, first, rest);
  }
}

/** Words of the text; Slack's smart quotes and formatting backticks are taken as plain text. */
function tokenize(text: string): string[] {
  return text.replace(/[\u201C\u201D]/g, '"').replace(/[\u2018\u2019]/g, "'").replace(/`/g, ' ').trim().split(/\s+/).filter(Boolean);
}

function usage(message: string): UserError {
  return new UserError(`${message}\nUsage:\n${DEPLOY_USAGE}`);
}

function targetOf(config: Config, word: string): EnvironmentConfig | '*' {
  return ALL_WORDS.includes(word.toLowerCase()) ? '*' : resolveEnvironment(config, word);
}

function parseLock(config: Config, words: string[]): DeployCommand {
  const [target, ...rest] = words;
  if (target === undefined) throw usage('`/deploy lock` needs an environment or `all`.');
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

/** A duration at the start of the words: "2h", "2 hours", "90min"; throws UserError for a number that is not one. */
function takeDuration(words: string[]): { ms: number; words: number } {
  const [a = '', b = ''] = words;
  const joined = /^\d+$/.test(a) && UNIT_WORDS[b.toLowerCase()] ? { text: `${a}${b}`, words: 2 } : { text: a, words: 1 };
  const match = /^(\d+)\s*([a-z]+)$/i.exec(joined.text);
  const unit = match ? UNIT_WORDS[match[2]!.toLowerCase()] : undefined;
  const ms = match && unit ? parseDuration(`${match[1]}${unit}`) : null;
  if (ms === null || ms <= 0) throw usage(`"${joined.text}" is not a duration: use one such as 30m, 2h or 1d.`);
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
    if (swapped && isOciTag(envWord)) throw usage(`The environment comes first: \`/deploy ${swapped.name} ${[envWord, ...rest.slice(1)].join(' ')}\`.`);
    resolveEnvironment(config, envWord); // throws the unknown-environment message
  }
  const target = env!;
  const [version, ...appWords] = rest;
  if (version === undefined) throw usage(`Which version should go to ${target.name}? Such as \`/deploy ${target.name} v3.0.0\`.`);
  const apps = [...new Set(appWords.flatMap((w) => w.split(',')).map((w) => w.trim().toLowerCase()).filter(Boolean))];
  const known = config.apps.map((a) => a.name);
  const unknown = apps.filter((a) => !known.includes(a));
  if (unknown.length > 0) {
    throw new UserError(`Unknown app${unknown.length === 1 ? '' : 's'} ${unknown.map((a) => `"${a}"`).join(', ')}. Known apps: ${known.join(', ')}.`);
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
