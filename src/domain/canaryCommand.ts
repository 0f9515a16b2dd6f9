// Parses `/canary-status [env] [app]`: which environments' canaries to show, optionally only the one analysing an app.
import type { AppConfig, Config, EnvironmentConfig } from './config.js';
import { findEnvironment, knownEnvironmentNames } from './environments.js';
import { CanaryRefusal } from './canaryProblems.js';

export interface CanaryStatusCommand {
  kind: 'status' | 'help';
  /** the environments asked about, each with a canary */
  envs: EnvironmentConfig[];
  app: AppConfig | null;
}

/** The workload a canary of this app analyses: apps[].workload, else a Deployment named like the app. */
export function workloadOf(app: AppConfig): { kind: string; name: string } {
  return app.workload ?? { kind: 'Deployment', name: app.name };
}

export function parseCanaryStatusCommand(config: Config, text: string): CanaryStatusCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words[0]?.toLowerCase() === 'help') return { kind: 'help', envs: [], app: null };
  if (words.length > 2) throw new CanaryRefusal({ code: 'canary-usage', got: text.trim() });
  const withCanary = config.environments.filter((e) => e.canary).map((e) => e.name);
  let envs = config.environments.filter((e) => e.canary);
  let app: AppConfig | null = null;
  let rest = words;
  const first = words[0];
  if (first !== undefined) {
    const env = findEnvironment(config, first);
    if (env) {
      if (!env.canary) throw new CanaryRefusal({ code: 'no-canaries', env: env.name, withCanary });
      envs = [env];
      rest = words.slice(1);
    } else if (words.length === 2 || !config.apps.some((a) => a.name === first)) {
      throw new CanaryRefusal({ code: 'unknown-environment', given: first, known: knownEnvironmentNames(config) });
    }
  }
  if (rest[0] !== undefined) {
    app = config.apps.find((a) => a.name === rest[0]) ?? null;
    if (!app) throw new CanaryRefusal({ code: 'unknown-apps', given: [rest[0]], known: config.apps.map((a) => a.name) });
    const target = workloadOf(app);
    envs = envs.filter((e) => e.canary && (e.canary.name === target.name || e.canary.name === app!.name));
    if (envs.length === 0) throw new CanaryRefusal({ code: 'canary-not-for-app', app: app.name, env: words.length === 2 ? (first ?? null) : null });
  }
  if (envs.length === 0) throw new CanaryRefusal({ code: 'no-canaries', env: null, withCanary });
  return { kind: 'status', envs, app };
}
