// Unit tests of the status, lock, help and thread-progress texts: content, escaping and limits.
import { describe, expect, it } from 'vitest';
import { deployHelp } from '../../src/adapters/slack/blocks/help.js';
import { lockMessage, unlockMessage } from '../../src/adapters/slack/blocks/lock.js';
import * as progress from '../../src/adapters/slack/blocks/progress.js';
import { statusMessage } from '../../src/adapters/slack/blocks/status.js';
import type { EnvironmentStatus, Lock } from '../../src/domain/types.js';
import { allText, expectWithinLimits } from './blocks.limits.js';

const NOW = 1_700_000_000_000;
const lock: Lock = { env: 'production', owner: 'U0LEAD', reason: 'db migration <!channel> <https://evil|here>', since: NOW, until: NOW + 2 * 3_600_000 };

function row(env: string, overrides: Partial<EnvironmentStatus> = {}): EnvironmentStatus {
  return {
    env,
    lock: null,
    frozenBy: null,
    live: { syncStatus: 'Synced', health: 'Healthy', revision: 'abcdef1234567', operationPhase: null },
    apps: [{ app: 'backend', desired: 'v3.0.0' }, { app: 'web', desired: null }],
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

describe('progress texts', () => {
  const state = { syncStatus: 'OutOfSync', syncRevision: 'abcdef1234', health: 'Progressing', operationPending: true, operationPhase: 'Running', operationMessage: '<!channel> applying', operationRevision: 'abcdef1234' };

  it('are readable and escape text from other systems', () => {
    expect(progress.approvedBy('U0LEAD', 1, 2)).toContain('<@U0LEAD> approved (1 of 2)');
    expect(progress.approvedBy('U0B', 2, 2)).toContain('deploying now');
    expect(progress.committed('acme/gitops', 'abcdef1234', [{ app: 'backend', image: 'i', source: 's', from: 'v2.9.0', to: 'v3.0.0', sha: 'x', compare: null, checks: [] }])).toBe(
      ':memo: Committed `abcdef1` to `acme/gitops`: backend `v2.9.0` → `v3.0.0`.',
    );
    expect(progress.syncRequested('shop-staging', 'abcdef1234')).toContain('`shop-staging` to `abcdef1`');
    const seen = progress.syncProgress(state, 'shop-staging');
    expect(seen).toContain('OutOfSync');
    expect(seen).toContain('Running');
    expect(seen).not.toContain('<!channel>');
    expect(progress.succeeded('staging', 'v3.0.0', 'abcdef1234', 'shop-staging')).toContain('staging now runs `v3.0.0`');
    expect(progress.failed('<!here> boom')).toBe(':x: Failed: &lt;!here&gt; boom');
    expect(progress.timedOut('shop-staging', 600_000, state)).toContain('Timed out after 10m');
    expect(progress.syncBusy('another operation is already in progress')).toContain('busy');
    expect(progress.rejectedBy('U0LEAD')).toContain('<@U0LEAD> rejected');
    expect(progress.expired(3_600_000)).toContain('1h');
  });
});
