// loadConfig: the shipped example loads; bad configs fail with one line per problem naming key, expectation, value and line.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/loader.js';

const EXAMPLE = readFileSync(new URL('../../examples/flightdeck.yaml', import.meta.url), 'utf8');

const MINIMAL = `gitops: { repo: acme/gitops }
apps:
  - name: backend
    image: ghcr.io/acme/backend
    source: acme/backend
environments:
  - name: dev
    overlay: k8s/overlays/dev
    argocd: { application: shop-dev }
  - name: staging
    overlay: k8s/overlays/staging
    promoteFrom: dev
    argocd: { application: shop-staging }
    approval: { required: 1, approvers: { users: [U0LEAD] } }
`;

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'fd.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads the shipped example without warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-config-'));
    const path = join(dir, 'flightdeck.yaml');
    writeFileSync(path, EXAMPLE);
    const { config, warnings } = loadConfig(path);
    expect(warnings).toEqual([]);
    expect(config.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'production']);
    const prod = config.environments[2]!;
    expect(prod.approval).toEqual({ required: 2, approvers: { users: [], groups: ['S0EXEC'] }, ttl: 3_600_000 });
    expect(prod.versionPattern).toBe('semver');
    expect(config.freezes[0]).toMatchObject({ name: 'weekend', duration: 65 * 3_600_000, timezone: 'Europe/Berlin' });
    expect(config.incidents.severities?.sev1?.respondWithin).toBe(15 * 60_000);
    expect(config.apps.map((a) => a.name)).toEqual(['backend', 'frontend']);
  });

  it('names a missing file', () => {
    expect(() => loadConfig('/nonexistent/flightdeck.yaml')).toThrow('/nonexistent/flightdeck.yaml: cannot read the config file (no such file)');
  });

  it('names the line of invalid YAML', () => {
    const problems = problemsOf('gitops:\n  repo: acme/gitops\napps: [\n');
    expect(problems[0]).toMatch(/^fd\.yaml:\d+:\d+: not valid YAML/);
  });

  it('reports a wrong value with its path, expectation, value and line', () => {
    const text = MINIMAL.replace('required: 1', 'required: two');
    expect(problemsOf(text)).toEqual(['environments[1].approval.required: expected a whole number >= 0, got "two" (fd.yaml line 14)']);
  });

  it('reports every schema problem at once', () => {
    const text = MINIMAL.replace('acme/gitops', 'gitops').replace('argocd: { application: shop-dev }', 'argocd: { application: shop-dev, sync: sometimes, timeout: 5 minutes }');
    const problems = problemsOf(text);
    expect(problems).toEqual([
      'gitops.repo: expected a GitHub repository as "owner/name", got "gitops" (fd.yaml line 1)',
      'environments[0].argocd.sync: expected one of "auto", "manual", got "sometimes" (fd.yaml line 9)',
      'environments[0].argocd.timeout: expected a duration such as "30s", "15m", "1h" or "1d", got "5 minutes" (fd.yaml line 9)',
    ]);
  });

  it('says when a required key is missing', () => {
    const problems = problemsOf(MINIMAL.replace('    source: acme/backend\n', ''));
    expect(problems).toEqual(['apps[0].source: required, expected a GitHub repository as "owner/name" (fd.yaml line 3)']);
  });

  it('warns about unknown keys instead of failing', () => {
    const text = MINIMAL.replace('    overlay: k8s/overlays/dev\n', '    overlay: k8s/overlays/dev\n    colour: blue\n') + 'extras: true\n';
    const { config, warnings } = parseConfig(text, 'fd.yaml');
    expect(config.environments[0]!.name).toBe('dev');
    expect(warnings).toEqual(['unknown key environments[0].colour (fd.yaml line 9) (ignored)', 'unknown key extras (fd.yaml line 16) (ignored)']);
  });

  it('requires unique environment names and aliases, case-insensitively', () => {
    const text = MINIMAL.replace('  - name: staging\n', '  - name: staging\n    aliases: [DEV, status]\n');
    expect(problemsOf(text)).toEqual([
      'environments[1].aliases[0]: expected a unique environment name or alias, got "DEV" (already used by dev) (fd.yaml line 11)',
      'environments[1].aliases[1]: expected a name other than the /deploy words help, status, lock, unlock, all, rollback, got "status" (fd.yaml line 11)',
    ]);
  });

  it('checks promoteFrom: existing, not itself, no cycles', () => {
    expect(problemsOf(MINIMAL.replace('promoteFrom: dev', 'promoteFrom: qa'))).toEqual([
      'environments[1].promoteFrom: expected the name of an environment (dev, staging), got "qa" (fd.yaml line 12)',
    ]);
    expect(problemsOf(MINIMAL.replace('promoteFrom: dev', 'promoteFrom: staging'))[0]).toContain('got "staging" (itself)');
    const cycle = MINIMAL.replace('    overlay: k8s/overlays/dev\n', '    overlay: k8s/overlays/dev\n    promoteFrom: staging\n');
    expect(problemsOf(cycle)).toEqual(['environments[0].promoteFrom: expected promotion order without cycles, got dev <- staging <- dev (fd.yaml line 9)']);
  });

  it('checks that approvals can be given', () => {
    expect(problemsOf(MINIMAL.replace('approvers: { users: [U0LEAD] }', 'approvers: {}'))).toEqual([
      'environments[1].approval.approvers: expected at least one approver user or group because required is 1, got none (fd.yaml line 14)',
    ]);
    expect(problemsOf(MINIMAL.replace('required: 1', 'required: 2'))).toEqual([
      'environments[1].approval.required: expected at most 1 (the number of approver users listed, and no group), got 2 (fd.yaml line 14)',
    ]);
  });

  it('needs a namespace for a canary, from the canary or its environment', () => {
    const withCanary = MINIMAL.replace('    promoteFrom: dev\n', '    promoteFrom: dev\n    canary: { name: backend }\n');
    expect(problemsOf(withCanary)[0]).toMatch(/^environments\[1\]\.canary\.namespace: expected the namespace of Flagger Canary "backend" \(or environments\[1\]\.namespace\), got none/);
    expect(parseConfig(withCanary.replace('canary: { name: backend }', 'canary: { name: backend, namespace: shop }'), 'fd.yaml').config.environments[1]?.canary).toEqual({ name: 'backend', namespace: 'shop', timeout: 3_600_000 });
    expect(parseConfig(withCanary.replace('canary: { name: backend }', 'canary: { name: backend, timeout: 20m }').replace('    promoteFrom: dev\n', '    promoteFrom: dev\n    namespace: staging\n'), 'fd.yaml').config.environments[1]?.canary?.timeout).toBe(1_200_000);
  });

  it('checks unique apps and images, freeze environments and crons', () => {
    const text = MINIMAL.replace('environments:', '  - name: backend\n    image: ghcr.io/acme/backend\n    source: acme/other\nenvironments:') +
      'freezes:\n  - { name: weekend, cron: "0 16 * * fri", duration: 65h, environments: [prod] }\n  - { name: bad, cron: "0 25 * * *", duration: 1h }\n';
    expect(problemsOf(text)).toEqual([
      'freezes[1].cron: expected a cron expression such as "0 16 * * 5" ("25" is not a valid hour (0-23)), got "0 25 * * *" (fd.yaml line 20)',
    ]);
    const fixedCron = text.replace('0 25 * * *', '0 23 * * *');
    expect(problemsOf(fixedCron)).toEqual([
      'apps[1].name: expected a unique app name, got "backend" (also apps[0].name) (fd.yaml line 6)',
      'apps[1].image: expected each image to belong to one app, got "ghcr.io/acme/backend" (also apps[0].image) (fd.yaml line 7)',
      'freezes[0].environments[0]: expected the name of an environment (dev, staging), got "prod" (fd.yaml line 19)',
    ]);
  });

  it('warns that pull-request mode is not honoured yet (deploys are refused, the bot still starts)', () => {
    const { warnings } = parseConfig(MINIMAL.replace('{ repo: acme/gitops }', '{ repo: acme/gitops, mode: pull-request }'), 'fd.yaml');
    expect(warnings.join('\n')).toMatch(/gitops\.mode: "pull-request" is not supported/);
  });

  it('formats ConfigError as one line per problem', () => {
    const err = new ConfigError(['a: x', 'b: y']);
    expect(err.message).toBe('a: x\nb: y');
  });

  it('rejects an empty file', () => {
    expect(problemsOf('')).toEqual(['fd.yaml: expected a mapping with gitops, apps and environments, got an empty file']);
  });
});
