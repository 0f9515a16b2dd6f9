// Environments by name or alias, the apps they run and their promotion order (promoteFrom).
import type { AppConfig, Config, EnvironmentConfig } from './config.js';
import { UserError } from './errors.js';

/** The environment a name or alias names (case-insensitive), or undefined. */
export function findEnvironment(config: Config, nameOrAlias: string): EnvironmentConfig | undefined {
  const wanted = nameOrAlias.trim().toLowerCase();
  return (
    config.environments.find((e) => e.name.toLowerCase() === wanted) ??
    config.environments.find((e) => e.aliases.some((a) => a.toLowerCase() === wanted))
  );
}

/** The environment a name or alias names; UserError listing the known ones otherwise. */
export function resolveEnvironment(config: Config, nameOrAlias: string): EnvironmentConfig {
  const env = findEnvironment(config, nameOrAlias);
  if (!env) throw new UserError({ code: 'unknown-environment', given: nameOrAlias, known: knownEnvironmentNames(config) });
  return env;
}

/** ["dev", "staging", "production (prod)"] */
export function knownEnvironmentNames(config: Config): string[] {
  return config.environments.map((e) => (e.aliases.length > 0 ? `${e.name} (${e.aliases.join(', ')})` : e.name));
}

/**
 * The apps an environment may run. Every configured app: which of them an environment really runs is
 * what its overlay sets (an app whose image the overlay lacks is not deployed there).
 */
export function appsOf(config: Config, env: EnvironmentConfig): AppConfig[] {
  void env;
  return config.apps;
}

/** The environment a release must run in before it may come to this one, or null. */
export function previousOf(config: Config, env: EnvironmentConfig): EnvironmentConfig | null {
  if (env.promoteFrom === undefined) return null;
  return config.environments.find((e) => e.name === env.promoteFrom) ?? null;
}

/** The environments that promote from this one. */
export function nextOf(config: Config, env: EnvironmentConfig): EnvironmentConfig[] {
  return config.environments.filter((e) => e.promoteFrom === env.name);
}

/** The promotion path ending at the environment: [dev, staging, production] for production. */
export function promotionPath(config: Config, env: EnvironmentConfig): EnvironmentConfig[] {
  const path = [env];
  for (let prev = previousOf(config, env); prev && !path.includes(prev); prev = previousOf(config, prev)) path.unshift(prev);
  return path;
}
