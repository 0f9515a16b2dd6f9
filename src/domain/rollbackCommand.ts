// Parses `/rollback` text: an environment (or alias), then optionally a version and app names, in forgiving form and strict content.
import type { Config, EnvironmentConfig } from './config.js';
import { resolveEnvironment } from './environments.js';
import { UserError } from './problems.js';
import { isOciTag } from './versions.js';

export type RollbackCommand = { kind: 'help' } | { kind: 'rollback'; env: EnvironmentConfig; version: string | null; apps: string[] };

const HELP_WORDS = ['help', '-h', '--help', '?', 'usage'];

export function parseRollbackCommand(config: Config, text: string): RollbackCommand {
  const words = text.replace(/`/g, ' ').trim().split(/[\s,]+/).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined) throw new UserError({ code: 'usage', command: 'rollback', detail: { hint: 'rollback-env' } });
  if (HELP_WORDS.includes(first.toLowerCase())) return { kind: 'help' };
  const env = resolveEnvironment(config, first);
  const known = config.apps.map((a) => a.name);
  // A word that names an app is an app; the first other word is the version.
  const [maybeVersion, ...others] = rest;
  const version = maybeVersion !== undefined && !known.includes(maybeVersion.toLowerCase()) ? maybeVersion : null;
  const appWords = (version === null ? rest : others).map((w) => w.toLowerCase());
  const apps = [...new Set(appWords)];
  const unknown = apps.filter((a) => !known.includes(a));
  if (unknown.length > 0) throw new UserError({ code: 'unknown-apps', given: unknown, known });
  // Only a tag the environment ran is a target; that check reads the overlay's history.
  if (version !== null && !isOciTag(version)) throw new UserError({ code: 'bad-tag', version });
  return { kind: 'rollback', env, version, apps };
}
