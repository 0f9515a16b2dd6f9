// Environments by name or alias, and the promotion order.
import { describe, expect, it } from 'vitest';
import { appsOf, findEnvironment, nextOf, previousOf, promotionPath, resolveEnvironment } from '../../src/domain/environments.js';
import { exampleConfig } from '../support/domain-fixtures.js';
import { said } from '../support/refusals.js';

const config = exampleConfig();

describe('environments', () => {
  it('resolves names and aliases case-insensitively', () => {
    expect(resolveEnvironment(config, 'staging').name).toBe('staging');
    expect(resolveEnvironment(config, 'PROD').name).toBe('production');
    expect(resolveEnvironment(config, 'Production').name).toBe('production');
    expect(findEnvironment(config, 'qa')).toBeUndefined();
  });

  it('lists the known environments and aliases for an unknown one', () => {
    expect(said(() => resolveEnvironment(config, 'prd'))).toContain('Unknown environment "prd". Known environments: dev, staging, production (prod).');
  });

  it('follows the promotion order', () => {
    const prod = resolveEnvironment(config, 'production');
    expect(previousOf(config, prod)?.name).toBe('staging');
    expect(previousOf(config, resolveEnvironment(config, 'dev'))).toBeNull();
    expect(nextOf(config, resolveEnvironment(config, 'dev')).map((e) => e.name)).toEqual(['staging']);
    expect(promotionPath(config, prod).map((e) => e.name)).toEqual(['dev', 'staging', 'production']);
  });

  it('lists the apps an environment may run', () => {
    expect(appsOf(config, resolveEnvironment(config, 'dev')).map((a) => a.name)).toEqual(['backend', 'frontend', 'worker']);
  });
});
