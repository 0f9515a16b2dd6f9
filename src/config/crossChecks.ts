// Checks of the config that span fields (names unique, references resolve, policies satisfiable) beyond what the schema says.
import type { ApprovalPolicy, Config } from './schema.js';
import { formatPath, type KeyPath } from './issues.js';
import { canaryConfigWarnings } from '../domain/canary.js';

/** Words of `/deploy` that cannot also name an environment. */
export const RESERVED_ENVIRONMENT_WORDS = ['help', 'status', 'lock', 'unlock', 'all', 'rollback'];

export interface Finding {
  path: KeyPath;
  message: string;
}

export interface CrossCheckResult {
  errors: Finding[];
  warnings: Finding[];
}

export function crossCheck(config: Config): CrossCheckResult {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  checkApps(config, errors);
  checkEnvironments(config, errors, warnings);
  checkFreezes(config, errors);
  warnings.push(...canaryConfigWarnings(config));
  if (config.gitops.mode === 'pull-request') {
    warnings.push({ path: ['gitops', 'mode'], message: '"pull-request" is not supported by this release yet: deploys will be refused (Flightdeck will not commit directly where reviews were asked for)' });
  }
  return { errors, warnings };
}

/** `<path>: <message>` */
export function formatFinding(finding: Finding): string {
  return `${formatPath(finding.path)}: ${finding.message}`;
}

function checkApps(config: Config, errors: Finding[]): void {
  const names = new Map<string, number>();
  const images = new Map<string, number>();
  config.apps.forEach((app, i) => {
    const sameName = names.get(app.name);
    if (sameName !== undefined) errors.push({ path: ['apps', i, 'name'], message: `expected a unique app name, got "${app.name}" (also apps[${sameName}].name)` });
    else names.set(app.name, i);
    const sameImage = images.get(app.image);
    if (sameImage !== undefined) errors.push({ path: ['apps', i, 'image'], message: `expected each image to belong to one app, got "${app.image}" (also apps[${sameImage}].image)` });
    else images.set(app.image, i);
  });
}

function checkEnvironments(config: Config, errors: Finding[], warnings: Finding[]): void {
  const words = new Map<string, string>();
  const names = new Set(config.environments.map((e) => e.name));
  config.environments.forEach((env, i) => {
    const claims: Array<[KeyPath, string]> = [[['environments', i, 'name'], env.name], ...env.aliases.map((a, j): [KeyPath, string] => [['environments', i, 'aliases', j], a])];
    for (const [path, word] of claims) {
      const key = word.toLowerCase();
      const owner = words.get(key);
      if (RESERVED_ENVIRONMENT_WORDS.includes(key)) errors.push({ path, message: `expected a name other than the /deploy words ${RESERVED_ENVIRONMENT_WORDS.join(', ')}, got "${word}"` });
      else if (owner !== undefined) errors.push({ path, message: `expected a unique environment name or alias, got "${word}" (already used by ${owner})` });
      else words.set(key, env.name);
    }
    if (env.promoteFrom !== undefined) {
      if (env.promoteFrom === env.name) errors.push({ path: ['environments', i, 'promoteFrom'], message: `expected another environment, got "${env.promoteFrom}" (itself)` });
      else if (!names.has(env.promoteFrom)) errors.push({ path: ['environments', i, 'promoteFrom'], message: `expected the name of an environment (${[...names].join(', ')}), got "${env.promoteFrom}"` });
    }
    checkPolicy(env.approval, ['environments', i, 'approval'], errors);
    if (env.rollback) checkPolicy(env.rollback, ['environments', i, 'rollback'], errors);
    if (env.deployers && env.deployers.users.length === 0 && env.deployers.groups.length === 0) {
      errors.push({ path: ['environments', i, 'deployers'], message: 'expected at least one user or group (remove deployers to let anyone deploy), got an empty audience' });
    }
    if (env.canary && !env.canary.namespace && !env.namespace) {
      errors.push({ path: ['environments', i, 'canary', 'namespace'], message: `expected the namespace of Flagger Canary "${env.canary.name}" (or environments[${i}].namespace), got none` });
    }
    if (env.versionPattern === 'semver') {
      const commitApps = config.apps.filter((a) => a.versions === 'commits').map((a) => a.name);
      if (commitApps.length > 0) {
        warnings.push({ path: ['environments', i, 'versionPattern'], message: `is semver, but ${commitApps.join(', ')} ${commitApps.length === 1 ? 'is' : 'are'} versioned by commit and can never be promoted here` });
      }
    }
  });
  checkPromotionCycles(config, errors);
}

function checkPolicy(policy: ApprovalPolicy, path: KeyPath, errors: Finding[]): void {
  if (policy.required === 0) return;
  const { users, groups } = policy.approvers;
  if (users.length === 0 && groups.length === 0) {
    errors.push({ path: [...path, 'approvers'], message: `expected at least one approver user or group because required is ${policy.required}, got none` });
  } else if (groups.length === 0 && new Set(users).size < policy.required) {
    errors.push({ path: [...path, 'required'], message: `expected at most ${new Set(users).size} (the number of approver users listed, and no group), got ${policy.required}` });
  }
}

function checkPromotionCycles(config: Config, errors: Finding[]): void {
  const from = new Map(config.environments.map((e) => [e.name, e.promoteFrom]));
  const reported = new Set<string>();
  config.environments.forEach((env, i) => {
    const seen = [env.name];
    let current = env.promoteFrom;
    while (current !== undefined && from.has(current) && current !== env.name) {
      if (seen.includes(current)) return; // a cycle further up; reported from its own members
      seen.push(current);
      current = from.get(current);
    }
    if (current === env.name && seen.length > 1 && !reported.has(env.name)) {
      seen.forEach((name) => reported.add(name));
      errors.push({ path: ['environments', i, 'promoteFrom'], message: `expected promotion order without cycles, got ${[...seen, env.name].join(' <- ')}` });
    }
  });
}

function checkFreezes(config: Config, errors: Finding[]): void {
  const names = config.environments.map((e) => e.name);
  config.freezes.forEach((freeze, i) => {
    freeze.environments.forEach((name, j) => {
      if (!names.includes(name)) errors.push({ path: ['freezes', i, 'environments', j], message: `expected the name of an environment (${names.join(', ')}), got "${name}"` });
    });
  });
}
