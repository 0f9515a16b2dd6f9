// The /deploy parser: forgiving in form, strict in content; and severities.
import { describe, expect, it } from 'vitest';
import { parseDeployCommand, parseSeverity } from '../../src/domain/commands.js';
import { UserError } from '../../src/domain/errors.js';
import { exampleConfig } from '../support/domain-fixtures.js';
import { said } from '../support/refusals.js';

const config = exampleConfig();
const parse = (text: string) => parseDeployCommand(config, text);
const envName = (cmd: ReturnType<typeof parse>) => ('env' in cmd && cmd.env ? (cmd.env === '*' ? '*' : cmd.env.name) : undefined);

describe('parseDeployCommand', () => {
  it('shows help for empty text and help words', () => {
    for (const text of ['', '   ', 'help', 'HELP', '--help', '?']) expect(parse(text)).toEqual({ kind: 'help' });
  });

  it('parses status with and without an environment', () => {
    expect(parse('status')).toEqual({ kind: 'status' });
    const cmd = parse('Status  prod');
    expect(cmd.kind).toBe('status');
    expect(envName(cmd)).toBe('production');
    expect(said(() => parse('status prod staging'))).toMatch(/at most one environment/);
  });

  it('parses a promotion, forgiving in form', () => {
    const cmd = parse('  Staging   v3.0.0  ');
    expect(cmd).toMatchObject({ kind: 'promote', version: 'v3.0.0', apps: [] });
    expect(envName(cmd)).toBe('staging');
    expect(parse('prod v3.0.0 Backend,frontend backend')).toMatchObject({ kind: 'promote', version: 'v3.0.0', apps: ['backend', 'frontend'] });
    expect(parse('dev `v3.0.0`')).toMatchObject({ kind: 'promote', version: 'v3.0.0' });
  });

  it('is strict in content', () => {
    expect(said(() => parse('qa v3.0.0'))).toBe('Unknown environment "qa". Known environments: dev, staging, production (prod).');
    expect(said(() => parse('prod v3.0'))).toContain('"v3.0" is not a semver tag such as v3.0.0 (production requires semver).');
    expect(said(() => parse('staging v3.0.0 payments'))).toContain('Unknown app "payments". Known apps: backend, frontend, worker.');
    expect(said(() => parse('staging'))).toMatch(/Which version should go to staging\?/);
    expect(said(() => parse('staging'))).toMatch(/Usage:/);
    expect(() => parse('dev 3f9c2a1 worker')).not.toThrow();
    expect(said(() => parse('dev v3.0.0 worker'))).toMatch(/versioned by commit SHA/);
  });

  it('hints when the version comes first', () => {
    expect(said(() => parse('v3.0.0 staging backend'))).toMatch(/The environment comes first: `\/deploy staging v3.0.0 backend`/);
  });

  it('parses lock with duration and reason', () => {
    const cmd = parse('lock production for 2h deploy freeze for audit');
    expect(cmd).toMatchObject({ kind: 'lock', durationMs: 2 * 3_600_000, reason: 'deploy freeze for audit' });
    expect(envName(cmd)).toBe('production');
    expect(parse('lock all')).toEqual({ kind: 'lock', env: '*' });
    expect(parse('LOCK * for 30 minutes "incident in progress"')).toEqual({ kind: 'lock', env: '*', durationMs: 30 * 60_000, reason: 'incident in progress' });
    expect(parse('lock prod 1d')).toMatchObject({ kind: 'lock', durationMs: 86_400_000 });
    expect(parse('lock prod for audit')).toMatchObject({ kind: 'lock', reason: 'for audit' });
    expect(parse('lock prod for audit')).not.toHaveProperty('durationMs');
  });

  it('refuses a lock duration it cannot read', () => {
    expect(said(() => parse('lock prod for 2 fortnights'))).toMatch(/"2" is not a duration: use one such as 30m, 2h or 1d/);
    expect(said(() => parse('lock prod for 0h'))).toMatch(/"0h" is not a duration/);
    expect(said(() => parse('lock'))).toMatch(/needs an environment or `all`/);
    expect(said(() => parse('lock qa'))).toMatch(/Unknown environment "qa"/);
  });

  it('parses unlock', () => {
    expect(parse('unlock all')).toEqual({ kind: 'unlock', env: '*' });
    expect(envName(parse('unlock Prod'))).toBe('production');
    expect(said(() => parse('unlock'))).toMatch(/takes one environment or `all`/);
  });
});

describe('parseSeverity', () => {
  it('reads the forms people type', () => {
    for (const text of ['SEV1', 'sev1', 'sev-1', 'Sev 1', 'sev_1', '1', ' 1 ']) expect(parseSeverity(text)).toBe('sev1');
    expect(parseSeverity('SEV-4')).toBe('sev4');
    for (const text of ['sev5', '0', 'severe', 'p1', '']) expect(parseSeverity(text)).toBeNull();
  });
});

describe('parseDeployCommand with mixed tag and commit apps', () => {
  it('accepts a version that fits some apps when none are named, and checks named apps strictly', () => {
    expect(parse('staging 3f9c2a1')).toMatchObject({ kind: 'promote', version: '3f9c2a1', apps: [] });
    expect(() => parse('staging sha-3f9c2a1 backend worker')).not.toThrow();
    expect(said(() => parse('staging v3.0.0 worker'))).toMatch(/versioned by commit SHA/);
    expect(said(() => parse('prod 3f9c2a1'))).toMatch(/is not a semver tag/);
  });
});
