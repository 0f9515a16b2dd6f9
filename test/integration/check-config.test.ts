// `npm run check-config` (scripts/check-config.mjs) run as a user runs it: the bot's own loader on a flightdeck.yaml or on the
// `config` of Helm values, one line per problem with the key and the line, exit status 1 when Flightdeck would not start.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'check-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function checkConfig(args: string[], env: Record<string, string | undefined> = {}) {
  const merged: Record<string, string | undefined> = { ...process.env, FLIGHTDECK_CONFIG: undefined, INIT_CWD: undefined, ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const run = spawnSync(process.execPath, [join(root, 'scripts/check-config.mjs'), ...args], { cwd: dir, env: merged, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, lines: run.stdout.trim().split('\n'), stderr: run.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const BAD = `gitops: { repo: acme/gitops }
apps:
  - name: backend
    image: ghcr.io/acme/backend
    source: acme/backend
environments:
  - name: dev
    overlay: k8s/overlays/dev
    argocd: { application: shop-dev }
    approval: { required: two }
  - name: staging
    overlay: k8s/overlays/staging
    promoteFrom: qa
    argocd: { application: shop-staging }
`;

describe('npm run check-config', () => {
  it('passes the example config, saying what it found', () => {
    const run = checkConfig([join(root, 'examples/flightdeck.yaml')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.lines).toEqual([`ok: ${join(root, 'examples/flightdeck.yaml')}: 2 app(s), 3 environment(s) (dev, staging, production)`]);
  }, 60_000);

  it('prints one line per problem with the key and its line, and exits 1', () => {
    const run = checkConfig([file('bad.yaml', BAD)]);
    expect(run.status).toBe(1);
    expect(run.lines).toContainEqual(expect.stringMatching(/^error: environments\[0\]\.approval\.required: expected a whole number >= 0, got "two" \(.*bad\.yaml line 10\)$/));
    expect(run.lines.at(-1)).toMatch(/bad\.yaml: \d+ problem\(s\); Flightdeck would not start with this config$/);
    expect(run.lines.slice(0, -1).every((l) => l.startsWith('error: '))).toBe(true);
  }, 60_000);

  it('runs the cross-checks too: a promoteFrom that names no environment', () => {
    const fixed = BAD.replace('{ required: two }', '{ required: 0 }');
    const run = checkConfig([file('cross.yaml', fixed)]);
    expect(run.status).toBe(1);
    expect(run.lines[0]).toMatch(/^error: environments\[1\]\.promoteFrom: .*qa/);
  }, 60_000);

  it('warns about unknown keys and still passes', () => {
    const run = checkConfig([file('typo.yaml', `${readFileSync(join(root, 'examples/flightdeck.yaml'), 'utf8')}\nchanels: { deploys: C0X }\n`)]);
    expect(run.status).toBe(0);
    expect(run.lines[0]).toMatch(/^warning: unknown key chanels .*\(ignored\)$/);
    expect(run.lines.at(-1)).toMatch(/^ok: .*1 warning\(s\)$/);
  }, 60_000);

  it('reads FLIGHTDECK_CONFIG (from the environment, else ./.env) when no file is given, and says when the file is missing', () => {
    expect(checkConfig([], { FLIGHTDECK_CONFIG: file('env.yaml', BAD) }).status).toBe(1);
    writeFileSync(join(dir, '.env'), `FLIGHTDECK_CONFIG=${join(root, 'examples/flightdeck.yaml')}\n`);
    expect(checkConfig([]).status, 'FLIGHTDECK_CONFIG from ./.env, as npm start reads it').toBe(0);
    expect(checkConfig([], { FLIGHTDECK_CONFIG: join(dir, 'env.yaml') }).status, 'the environment wins over .env').toBe(1);
    rmSync(join(dir, '.env'));
    const missing = checkConfig([]);
    expect(missing.status).toBe(1);
    expect(missing.lines).toEqual(['error: ./flightdeck.yaml: cannot read it (no such file)']);
  }, 60_000);

  it('checks the config: block of Helm values, naming lines of the values file', () => {
    expect(checkConfig(['--values', join(root, 'helm/flightdeck/values.yaml')]).status).toBe(0);
    const values = `replicaCount: 1\nsecrets:\n  SLACK_BOT_TOKEN: xoxb-1\nconfig:\n${BAD.replace(/^/gm, '  ')}`;
    const run = checkConfig(['--values', file('values.yaml', values)]);
    expect(run.status).toBe(1);
    expect(run.lines[0]).toMatch(/^error: environments\[0\]\.approval\.required: .* \(.*values\.yaml config line 14\)$/);
    const elsewhere = checkConfig(['--values', file('cm.yaml', 'existingConfigMap: mine\n')]);
    expect(elsewhere.lines).toEqual([expect.stringMatching(/config: expected the flightdeck\.yaml mapping .*existingConfigMap mine/)]);
  }, 60_000);

  it('refuses arguments it does not understand with its usage', () => {
    const run = checkConfig(['a.yaml', 'b.yaml']);
    expect(run.status).toBe(1);
    expect(run.lines[0]).toMatch(/^usage: npm run check-config/);
  }, 60_000);
});
