// Unit tests of the status, lock and help texts: content, escaping and limits.
import { describe, expect, it } from 'vitest';
import { deployHelp } from '../../src/adapters/slack/blocks/help.js';
import { lockMessage, unlockMessage } from '../../src/adapters/slack/blocks/lock.js';
import { statusMessage } from '../../src/adapters/slack/blocks/status.js';
import type { EnvironmentStatus, Lock } from '../../src/domain/types.js';
import { allText, expectWithinLimits } from '../support/blocks-limits.js';

const NOW = 1_700_000_000_000;
const lock: Lock = { env: 'production', owner: 'U0LEAD', reason: 'db migration <!channel> <https://evil|here>', since: NOW, until: NOW + 2 * 3_600_000 };

function row(env: string, overrides: Partial<EnvironmentStatus> = {}): EnvironmentStatus {
  return {
    env,
    lock: null,
    frozenBy: null,
    live: { syncStatus: 'Synced', health: 'Healthy', revision: 'abcdef1234567', operationPhase: null },
    apps: [{ app: 'backend', desired: 'v3.0.0' }, { app: 'web', desired: null }],
    waiting: [],
    ...overrides,
  };
}

describe('statusMessage', () => {
  it('shows per environment the gate, live state and desired versions', () => {
    const message = statusMessage([row('staging'), row('production', { lock, frozenBy: 'weekend', live: null })], NOW + 3_600_000);
    const text = allText(message);
    expect(text).toContain('*staging*');
    expect(text).toContain('Synced at `abcdef1`');
    expect(text).toContain('Healthy');
    expect(text).toContain('backend `v3.0.0`');
    expect(text).toContain('Locked by <@U0LEAD>');
    expect(text).toContain('1h left');
    expect(text).toContain('Frozen: weekend');
    expect(text).toContain('live state unavailable');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expectWithinLimits(message);
  });

  it('stays within limits with many environments and apps', () => {
    const apps = Array.from({ length: 300 }, (_, i) => ({ app: `app-${i}`, desired: `v1.${i}.0` }));
    const rows = Array.from({ length: 120 }, (_, i) => row(`env-${i}`, { apps, lock: { ...lock, reason: 'r'.repeat(3000) } }));
    const message = statusMessage(rows);
    expectWithinLimits(message);
    expect(allText(message)).toContain('…and more');
  });

  it('says so when there are no environments', () => {
    expectWithinLimits(statusMessage([]));
  });
});

describe('lock texts', () => {
  it('names who, why, since and until, with the reason inert', () => {
    const text = lockMessage(lock, NOW);
    expect(text).toContain('*production*');
    expect(text).toContain('<@U0LEAD>');
    expect(text).toContain('for 2h');
    expect(text).toContain('<!date^1700000000^');
    expect(text).toContain('db migration &lt;!channel&gt; &lt;https://evil|here&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('/deploy unlock production');
  });

  it('words a lock of all environments without end', () => {
    const text = lockMessage({ ...lock, env: '*', until: null, reason: '' }, NOW);
    expect(text).toContain('All environments are locked');
    expect(text).toContain('until unlocked');
    expect(text).toContain('/deploy unlock all');
  });

  it('announces an unlock', () => {
    expect(unlockMessage('staging', 'U0LEAD')).toContain('*staging* is unlocked by <@U0LEAD>');
    expect(unlockMessage('<!here>', 'U0LEAD')).not.toContain('<!here>');
  });
});

describe('deployHelp', () => {
  it('documents every /deploy form with examples', () => {
    const text = deployHelp(['dev', 'staging']);
    for (const form of ['/deploy <env> <version> [app ...]', '/deploy status [env]', '/deploy lock <env|all> [for <duration>] [reason]', '/deploy unlock <env|all>', '/deploy help']) {
      expect(text).toContain(form);
    }
    expect(text).toContain('/deploy staging v3.0.0');
    expect(text).toContain('`dev`, `staging`');
  });
});

