// Unit tests of the deploy request message: content, escaping, buttons per state and Slack's limits.
import { describe, expect, it } from 'vitest';
import { ACTION_APPROVE, ACTION_REJECT, requestMessage } from '../../src/adapters/slack/blocks/request.js';
import type { AppChange, DeployRequest, RequestState } from '../../src/domain/types.js';
import type { RequestView } from '../../src/ports.js';
import { allText, expectWithinLimits } from '../support/blocks-limits.js';

const HOUR = 3_600_000;

function change(app: string, overrides: Partial<AppChange> = {}): AppChange {
  return {
    app,
    image: `ghcr.io/acme/${app}`,
    source: `acme/${app}`,
    from: 'v2.9.0',
    to: 'v3.0.0',
    sha: 'a1b2c3d4e5f6a7b8c9d0',
    compare: {
      total: 2,
      commits: [
        { sha: '111', title: 'Add checkout retries', author: 'alice' },
        { sha: '222', title: 'Fix cart total', author: 'bob' },
      ],
      url: 'https://github.com/acme/backend/compare/v2.9.0...v3.0.0',
    },
    checks: ['test', 'trivy'],
    ...overrides,
  };
}

function request(overrides: Partial<DeployRequest> = {}): DeployRequest {
  return {
    id: 'fd-7k2m9q',
    kind: 'deploy',
    env: 'staging',
    version: 'v3.0.0',
    changes: [change('backend')],
    requester: 'U0DEV',
    channel: 'C0DEPLOYS',
    messageTs: null,
    state: 'pending',
    required: 2,
    approvals: [],
    rejectedBy: null,
    createdAt: 1_700_000_000_000,
    expiresAt: 1_700_000_000_000 + HOUR,
    commitSha: null,
    canaryBaseline: null,
    outcome: null,
    overlayBase: null,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

const view: RequestView = { approvers: { users: ['U0LEAD'], groups: ['S0EXEC'] }, gitopsRepo: 'acme/gitops', checks: ['test', 'trivy'] };

// Blocks are loosely typed JSON; these views read them in assertions.
type AnyBlock = { type: string; text?: { text: string }; elements?: Array<Record<string, any>> };
const blocksOf = (m: { blocks: unknown[] }) => m.blocks as AnyBlock[];
const actionsOf = (m: { blocks: unknown[] }) => blocksOf(m).filter((b) => b.type === 'actions');

describe('requestMessage while pending', () => {
  const message = requestMessage(request({ approvals: ['U0LEAD'] }), view);
  const text = allText(message);

  it('titles the deploy and names requester, run and GitOps repo', () => {
    expect(blocksOf(message)[0]).toMatchObject({ type: 'header', text: { text: ':rocket: Deploy v3.0.0 to staging' } });
    expect(text).toContain('<@U0DEV>');
    expect(text).toContain('Run fd-7k2m9q');
    expect(text).toContain('acme/gitops');
  });

  it('shows versions, commits newest last, checks, approvals, approvers and expiry', () => {
    expect(text).toContain('*backend*  `v2.9.0` → `v3.0.0`');
    expect(text.indexOf('Add checkout retries — alice')).toBeLessThan(text.indexOf('Fix cart total — bob'));
    expect(text).toContain('✅ test, trivy');
    expect(text).toContain('Approvals 1 of 2: <@U0LEAD>');
    expect(text).toContain('<!subteam^S0EXEC>');
    expect(text).toContain('expires in 1h');
  });

  it('offers Approve (primary) and Reject (danger) carrying only the request id', () => {
    const [block] = actionsOf(message);
    expect(block).toBeDefined();
    const [approve, reject] = block!.elements!;
    expect(approve).toMatchObject({ type: 'button', action_id: ACTION_APPROVE, value: 'fd-7k2m9q', style: 'primary' });
    expect(reject).toMatchObject({ type: 'button', action_id: ACTION_REJECT, value: 'fd-7k2m9q', style: 'danger' });
    expect(approve!.text.text).toMatch(/\bApprove\b/);
    expect(reject!.text.text).toMatch(/\bReject\b/);
    expect(ACTION_APPROVE).toBe('deploy_approve');
    expect(ACTION_REJECT).toBe('deploy_reject');
  });

  it('titles a rollback', () => {
    const rollback = requestMessage(request({ kind: 'rollback', version: 'v2.9.0' }), view);
    expect(blocksOf(rollback)[0]).toMatchObject({ text: { text: ':rewind: Roll back staging to v2.9.0' } });
  });
});

describe('requestMessage change details', () => {
  it('says first deploy, no new commits, and links the rest of a long compare', () => {
    const commits = Array.from({ length: 10 }, (_, i) => ({ sha: `s${i}`, title: `commit ${i}`, author: 'dev' }));
    const message = requestMessage(
      request({
        changes: [
          change('web', { from: null }),
          change('worker', { compare: { total: 0, commits: [], url: null } }),
          change('api', { compare: { total: 25, commits, url: 'https://github.com/acme/api/compare/a...b' } }),
        ],
      }),
      view,
    );
    const text = allText(message);
    expect(text).toContain('first deploy');
    expect(text).toContain('no new commits');
    expect(text).toContain('…and 15 more');
    expect(text).toContain('<https://github.com/acme/api/compare/a...b|');
    expect(text).toContain('commit 9 — dev');
  });

  it('renders <!channel> and fake links in commit titles and authors inert', () => {
    const message = requestMessage(
      request({ changes: [change('backend', { compare: { total: 1, commits: [{ sha: 'x', title: '<!channel> see <https://evil.example|docs>', author: '<@U0CEO>' }], url: null } })] }),
      view,
    );
    const text = allText(message);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<https://evil');
    expect(text).not.toContain('<@U0CEO>');
    expect(text).toContain('&lt;!channel&gt; see &lt;https://evil.example|docs&gt; — &lt;@U0CEO&gt;');
  });
});

describe('requestMessage after pending', () => {
  const cases: Array<[RequestState, Partial<DeployRequest>, string]> = [
    ['approved', { approvals: ['U0LEAD', 'U0B'] }, '⏳ Approved by <@U0LEAD>, <@U0B>; writing the commit'],
    ['committed', { commitSha: 'abcdef1234567890' }, '⏳ Committed `abcdef1`'],
    ['syncing', { commitSha: 'abcdef1234567890' }, '⏳ Syncing…'],
    ['succeeded', { commitSha: 'abcdef1234567890' }, '✅ Deployed v3.0.0 to staging (commit `abcdef1`)'],
    ['failed', { outcome: { result: 'failed', problem: { code: 'sync-failed', application: 'shop', phase: 'Failed', message: '<!here> boom & <b>' } } }, '❌ Failed: Argo CD sync failed: &lt;!here&gt; boom &amp; &lt;b&gt;'],
    ['rejected', { rejectedBy: 'U0DEV', outcome: { result: 'rejected', withdrawn: true } }, '↩️ Withdrawn by <@U0DEV>, who requested it'],
    ['rejected', { rejectedBy: 'U0LEAD' }, '🚫 Rejected by <@U0LEAD>'],
    ['expired', {}, '⌛ Expired: no approval within 1h'],
  ];
  it('syncing: says when a canary analysis follows the sync', () => {
    const syncing = request({ state: 'syncing', commitSha: 'abcdef1234567890' });
    expect(allText(requestMessage(syncing, { ...view, canary: 'backend' }))).toContain("⏳ Syncing… Argo CD is applying `abcdef1`, then Flagger's canary backend analyses it");
    expect(allText(requestMessage(syncing, view))).not.toContain('canary');
  });
  for (const [state, patch, expected] of cases) {
    it(`${state}: shows "${expected}" and no buttons`, () => {
      const message = requestMessage(request({ state, ...patch }), view);
      expect(actionsOf(message)).toHaveLength(0);
      expect(allText(message)).toContain(expected);
      expect(allText(message)).not.toContain('expires in');
      expectWithinLimits(message);
    });
  }
});

describe('requestMessage limits', () => {
  it('stays within Block Kit limits with 40 apps and 1000-character commit titles', () => {
    const long = 'x&<'.repeat(334);
    const commits = Array.from({ length: 30 }, (_, i) => ({ sha: `s${i}`, title: `${i} ${long}`, author: 'a'.repeat(1000) }));
    const changes = Array.from({ length: 40 }, (_, i) => change(`app-${i}`, { compare: { total: 300, commits, url: `https://github.com/acme/app-${i}/compare/a...b` } }));
    const approvers = { users: Array.from({ length: 100 }, (_, i) => `U${i}X`), groups: ['S0EXEC'] };
    const message = requestMessage(request({ changes, approvals: approvers.users.slice(0, 50), required: 60 }), { ...view, approvers });
    expectWithinLimits(message);
    expect(actionsOf(message)).toHaveLength(1);
    const text = allText(message);
    for (let i = 0; i < 40; i++) expect(text).toContain(`*app-${i}*`);
  });

  it('stays within limits with 2000 apps, counting the ones not shown', () => {
    const changes = Array.from({ length: 2000 }, (_, i) => change(`application-with-a-rather-long-name-${i}`));
    const message = requestMessage(request({ changes }), view);
    expectWithinLimits(message);
    expect(allText(message)).toMatch(/…and \d+ more apps/);
    expect(actionsOf(message)).toHaveLength(1);
  });
});

describe('request message: what follows the approval', () => {
  it('says while pending that a canary analysis follows the sync', () => {
    const pending = requestMessage(request({ state: 'pending', required: 2 }), { ...view, canary: 'backend' });
    expect(JSON.stringify(pending.blocks)).toContain("After the sync, Flagger's canary backend analyses it before it takes all traffic");
    expect(JSON.stringify(requestMessage(request({ state: 'pending', required: 2 }), view).blocks)).not.toContain('canary');
  });

  it('does not call a request that needed no approval "approved"', () => {
    const text = JSON.stringify(requestMessage(request({ state: 'approved', required: 0, approvals: [] }), view).blocks);
    expect(text).toContain('No approval needed');
    expect(text).not.toContain('Approved by');
  });
});
