// Unit tests of how each run event and each problem is worded: one case per event type and per problem code (the
// tables must name every one, so a new event or problem without its wording test does not type-check).
import { describe, expect, it } from 'vitest';
import { slackWords } from '../../src/adapters/slack/mrkdwn.js';
import type { Problem, ProblemCode } from '../../src/domain/problems.js';
import type { RunEvent, RunEventType } from '../../src/domain/runEvents.js';
import { wordProblem } from '../../src/wording/problems.js';
import { progressKey, weightBar, wordEvent } from '../../src/wording/runEvents.js';
import { plainWords } from '../../src/wording/words.js';

const SHA = '1f60614f1600bcba2e37fd6333f8a262cfbf0a7f';
const EVIL = '<!channel> & <b>';
const lock = { env: 'staging', owner: 'U0LEAD', reason: EVIL, since: 0, until: null };

/** Each event with the Slack line it makes (null: not a thread line). */
const EVENTS: { [T in RunEventType]: [Extract<RunEvent, { type: T }>, string | null] } = {
  requested: [{ type: 'requested', kind: 'deploy', env: 'staging', version: 'v3.0.0', changes: [], required: 1 }, null],
  'request-posted': [{ type: 'request-posted', channel: 'C1', ts: '1.2', kind: 'deploy', env: 'staging', version: 'v3.0.0', requester: 'U0DEV' }, null],
  refused: [{ type: 'refused', kind: 'deploy', env: 'qa', version: 'v1', problem: { code: 'bad-tag', version: 'x' } }, null],
  approved: [{ type: 'approved', by: 'U0LEAD', approvals: 1, required: 2 }, ':white_check_mark: Approved by <@U0LEAD> (1 of 2).'],
  'approval-refused': [{ type: 'approval-refused', by: 'U0X', problem: { code: 'already-approved' } }, null],
  rejected: [{ type: 'rejected', by: 'U0LEAD' }, ':no_entry_sign: Rejected by <@U0LEAD>. Nothing was deployed.'],
  withdrawn: [{ type: 'withdrawn', by: 'U0DEV' }, ':leftwards_arrow_with_hook: Withdrawn by <@U0DEV>, who requested it. Nothing was deployed.'],
  expired: [{ type: 'expired', approvals: 1, required: 2 }, ':hourglass: Expired with 1 of 2 approvals. Nothing was deployed; run the command again to ask anew.'],
  'no-approval-needed': [{ type: 'no-approval-needed', env: 'dev' }, 'No approval needed for dev: deploying now.'],
  'commit-conflict': [{ type: 'commit-conflict', attempt: 1 }, null],
  committed: [
    { type: 'committed', repo: 'acme/gitops', overlay: 'k8s/overlays/staging', commitSha: SHA, changes: [{ app: 'backend', from: 'v2.9.0', to: 'v3.0.0' }], url: `https://github.com/acme/gitops/commit/${SHA}` },
    `:memo: Committed <https://github.com/acme/gitops/commit/${SHA}|1f60614> to acme/gitops (k8s/overlays/staging):\n• backend: \`v2.9.0\` → \`v3.0.0\``,
  ],
  'commit-found': [{ type: 'commit-found', commitSha: SHA }, ':memo: The commit `1f60614` was already in git (written before a restart); carrying on from there.'],
  'sync-retried': [{ type: 'sync-retried', by: 'U0DEV', revision: SHA }, ':repeat: <@U0DEV> pressed Retry sync: Argo CD is asked again to apply `1f60614`.'],
  'sync-requested': [
    { type: 'sync-requested', application: 'shop-staging', revision: SHA, initiatedBy: 'U0DEV', url: 'https://argocd.example.com/applications/argocd/shop-staging' },
    ':arrows_counterclockwise: Asked Argo CD to sync <https://argocd.example.com/applications/argocd/shop-staging|shop-staging> to `1f60614` (initiated by <@U0DEV>).',
  ],
  'sync-auto': [{ type: 'sync-auto', application: 'shop-dev', revision: SHA, url: null }, ':arrows_counterclockwise: shop-dev syncs automatically; following it until it runs `1f60614`.'],
  'sync-busy': [
    { type: 'sync-busy', application: 'shop-staging', phase: 'Running', by: EVIL },
    ':hourglass_flowing_sand: Argo CD is busy with shop-staging: an operation is already in progress (phase Running, started by &lt;!channel&gt; &amp; &lt;b&gt;). Waiting for it to finish before syncing.',
  ],
  'cluster-unreachable': [
    { type: 'cluster-unreachable', application: 'shop-staging', detail: EVIL, retryForMs: 240_000 },
    ':warning: The Kubernetes API does not answer for shop-staging (&lt;!channel&gt; &amp; &lt;b&gt;); retrying for up to 4m.',
  ],
  'sync-progress': [{ type: 'sync-progress', application: 'shop-staging', phase: 'Running', syncStatus: 'OutOfSync', health: 'Healthy' }, ':hourglass_flowing_sand: shop-staging: syncing…'],
  synced: [{ type: 'synced', application: 'shop-staging', revision: SHA }, ':white_check_mark: shop-staging is synced to `1f60614` and healthy.'],
  'canary-following': [{ type: 'canary-following', canary: 'backend', namespace: 'production', version: 'v3.0.0' }, ":hatching_chick: Canary backend: following Flagger's analysis, which decides whether `v3.0.0` is promoted to all traffic."],
  'canary-unavailable': [{ type: 'canary-unavailable', canary: 'backend', namespace: 'production', why: 'missing' }, ':warning: Flagger Canary production/backend does not exist; this deploy goes on without following a canary analysis.'],
  'canary-gate-waiting': [
    { type: 'canary-gate-waiting', canary: 'backend', env: 'production', appliedSpec: 'spec-2', gate: 'promotion' },
    ':raised_hand: Canary backend waits for approval to promote: an approver presses Promote canary, or Abort canary to roll it back.',
  ],
  'canary-gate-opened': [{ type: 'canary-gate-opened', canary: 'backend', gate: 'promotion' }, ':unlock: Canary backend: the rollback was approved, so Flightdeck opened its confirm-promotion gate.'],
  'canary-abort-requested': [
    { type: 'canary-abort-requested', canary: 'backend', version: 'v3.0.0' },
    ":rewind: Canary backend is still analysing `v3.0.0`: opened Flightdeck's rollback gate, so Flagger aborts it and routes all traffic back to the primary. Git is not changed.",
  ],
  'canary-aborted': [
    { type: 'canary-aborted', canary: 'backend', env: 'production', gitVersion: 'v3.0.0' },
    ':white_check_mark: Flagger rolled canary backend back: all traffic is on the primary, which still serves the previous version. Git still names `v3.0.0` for production; revert it with `/rollback production` (or the button below) so that git matches what runs.',
  ],
  'canary-progress': [
    { type: 'canary-progress', canary: 'backend', progress: { stage: 'progressing', weight: 30, maxWeight: 50, failedChecks: 1, threshold: 5, iterations: 0 } },
    ':hatching_chick: Canary backend: analysis progressing: ▰▰▰▱▱▱▱▱▱▱ 30% of max 50% of traffic on the canary, 1/5 failed checks',
  ],
  'canary-verdict': [{ type: 'canary-verdict', canary: 'backend', passed: false, initialised: false, failedChecks: 5, message: EVIL }, ':x: Canary backend: analysis failed after 5 failed checks.'],
  'deployment-created': [{ type: 'deployment-created', repo: 'acme/backend', app: 'backend', deploymentId: 7 }, null],
  succeeded: [{ type: 'succeeded', kind: 'deploy', env: 'production', version: 'v3.0.0', commitSha: SHA, canary: 'backend' }, ':rocket: production now runs `v3.0.0`.'],
  failed: [{ type: 'failed', kind: 'deploy', env: 'staging', version: 'v3.0.0', problem: { code: 'sync-failed', application: 'shop', phase: 'Failed', message: EVIL } }, ':x: Failed: Argo CD sync failed: &lt;!channel&gt; &amp; &lt;b&gt;'],
  locked: [{ type: 'locked', env: 'staging', reason: EVIL, until: null, replaced: null }, null],
  unlocked: [{ type: 'unlocked', env: 'staging', previousOwner: 'U0LEAD' }, null],
  'lock-expired': [{ type: 'lock-expired', env: 'staging', owner: 'U0LEAD' }, null],
};

/** One problem per code, with outside text made hostile where the problem carries any. */
const PROBLEMS: { [C in ProblemCode]: Extract<Problem, { code: C }> } = {
  usage: { code: 'usage', command: 'deploy', detail: { hint: 'status-args', got: EVIL } },
  'unknown-environment': { code: 'unknown-environment', given: EVIL, known: ['dev', 'staging'] },
  'unknown-apps': { code: 'unknown-apps', given: [EVIL], known: ['backend'] },
  'bad-tag': { code: 'bad-tag', version: EVIL },
  'not-a-commit': { code: 'not-a-commit', version: EVIL, app: 'worker', source: 'acme/worker', example: 'sha-3f9c2a1' },
  'not-semver': { code: 'not-semver', version: EVIL, env: 'production' },
  'not-deployer': { code: 'not-deployer', env: 'dev', deployers: { users: ['U0DEV'], groups: ['S0DEVS'] } },
  locked: { code: 'locked', env: 'staging', lock, then: 'approval-not-recorded' },
  frozen: { code: 'frozen', env: 'production', freeze: EVIL, endsAt: null, then: 'nothing-deployed' },
  'not-locked': { code: 'not-locked', env: 'staging' },
  'held-by-all': { code: 'held-by-all', env: 'staging', lock: { ...lock, env: '*' } },
  'lock-held': { code: 'lock-held', env: 'staging', lock },
  'pull-request-mode': { code: 'pull-request-mode' },
  'no-overlay': { code: 'no-overlay', env: 'staging', repo: 'acme/gitops', folder: EVIL },
  'overlay-invalid': { code: 'overlay-invalid', file: 'k.yaml', detail: EVIL },
  'overlay-no-image': { code: 'overlay-no-image', file: 'k.yaml', image: EVIL },
  'overlay-digest': { code: 'overlay-digest', file: 'k.yaml', image: 'a', digest: EVIL },
  'overlay-unsupported-tag': { code: 'overlay-unsupported-tag', value: EVIL, token: 'alias' },
  'apps-not-in-overlay': { code: 'apps-not-in-overlay', env: 'staging', overlay: 'k', apps: ['a'], images: [EVIL] },
  'no-apps-in-overlay': { code: 'no-apps-in-overlay', env: 'staging', overlay: EVIL },
  'already-running': { code: 'already-running', env: 'staging', version: 'v3.0.0', apps: ['backend'] },
  'not-promoted-yet': { code: 'not-promoted-yet', version: 'v3.0.0', previous: 'dev', running: [{ app: 'backend', tag: EVIL }] },
  'version-not-found': { code: 'version-not-found', app: 'backend', source: 'acme/backend', ref: 'v9.9.9', kind: 'tag' },
  'checks-not-passed': { code: 'checks-not-passed', app: 'backend', version: 'v3.0.0', sha: SHA, checks: [{ name: EVIL, state: 'failure' }] },
  'not-approver': { code: 'not-approver', env: 'production', kind: 'deploy', action: 'approve' },
  'own-request': { code: 'own-request', kind: 'deploy' },
  'already-approved': { code: 'already-approved' },
  'request-gone': { code: 'request-gone' },
  'request-decided': { code: 'request-decided', state: 'succeeded' },
  'request-expired': { code: 'request-expired' },
  'already-requested': { code: 'already-requested', env: 'staging', version: 'v3.0.0', runId: 'fd-1', state: 'pending', link: 'https://slack.example/archives/C1/p1' },
  overtaken: { code: 'overtaken', env: 'staging', by: 'fd-2', version: 'v3.1.0' },
  'environment-gone': { code: 'environment-gone', env: 'qa' },
  'cannot-post': { code: 'cannot-post', reason: 'not_in_channel' },
  'upstream-failing': { code: 'upstream-failing', service: 'GitHub', status: 502, detail: EVIL, write: false },
  'upstream-limited': { code: 'upstream-limited', service: 'GitHub', retryAfterS: 120 },
  'not-retryable': { code: 'not-retryable', state: 'failed', failedWith: 'env-moved' },
  'overlay-moved-on': { code: 'overlay-moved-on', env: 'staging', application: 'shop-staging', commitSha: SHA, newest: SHA },
  'env-busy': { code: 'env-busy', env: 'staging', runId: 'fd-2', version: EVIL, link: 'https://slack.example/archives/C1/p2' },
  'env-moved': { code: 'env-moved', env: 'staging', running: [{ app: 'backend', tag: EVIL }] },
  'argo-kept-busy': { code: 'argo-kept-busy', application: 'shop' },
  'cluster-unreachable': { code: 'cluster-unreachable', application: 'shop', detail: EVIL, afterMs: 600_000, stage: 'request' },
  'sync-failed': { code: 'sync-failed', application: 'shop', phase: 'Error', message: EVIL },
  unhealthy: { code: 'unhealthy', application: 'shop', health: 'Degraded' },
  'sync-timeout': { code: 'sync-timeout', application: 'shop', revision: SHA, afterMs: 600_000, lastSeen: EVIL },
  'canary-failed': { code: 'canary-failed', canary: 'backend', failedChecks: 5, message: EVIL, version: 'v3.0.0', env: 'production', commitSha: SHA },
  'canary-deleted': { code: 'canary-deleted', canary: 'backend' },
  'canary-lost': { code: 'canary-lost', canary: 'backend', namespace: 'production', env: 'production', detail: EVIL },
  'canary-timeout': { code: 'canary-timeout', canary: 'backend', afterMs: 3_600_000, lastSeen: null },
  interrupted: { code: 'interrupted' },
  internal: { code: 'internal', reference: 'fd-1' },
  'store-unavailable': { code: 'store-unavailable' },
  'nothing-to-roll-back': { code: 'nothing-to-roll-back', env: 'production', apps: [EVIL] },
  'never-ran': { code: 'never-ran', env: 'production', app: 'backend', version: 'v1.0.0', ran: ['v2.9.0', EVIL] },
  'canary-abort-timeout': { code: 'canary-abort-timeout', canary: 'backend', afterMs: 600_000 },
  'canary-promoted-first': { code: 'canary-promoted-first', canary: 'backend', env: 'production' },
  'incident-usage': { code: 'incident-usage', usage: 'unknown', got: EVIL },
  'unknown-severity': { code: 'unknown-severity', given: EVIL, known: ['sev1', 'sev2'] },
  'not-incident-channel': { code: 'not-incident-channel', command: 'resolve', open: [{ number: 4, channel: 'C0INC4' }] },
  'incident-gone': { code: 'incident-gone', number: 4 },
  'incident-resolved': { code: 'incident-resolved', number: 4 },
  'same-severity': { code: 'same-severity', number: 4, severity: 'sev2' },
  'same-commander': { code: 'same-commander', number: 4, commander: 'U0ANA' },
  'already-acknowledged': { code: 'already-acknowledged', number: 4, by: 'U0ANA' },
  'no-more-tiers': { code: 'no-more-tiers', number: 4, tiers: 2 },
  'incident-channel-failed': { code: 'incident-channel-failed', reason: EVIL },
  'deploy-not-failed': { code: 'deploy-not-failed', runId: 'fd-1' },
  'incident-freeze': { code: 'incident-freeze', env: 'production', number: 4, severity: 'sev1', title: EVIL, channel: 'C0INC4' },
  'incident-action-failed': { code: 'incident-action-failed', reference: 'err-1' },
  'canary-usage': { code: 'canary-usage', got: EVIL },
  'no-canaries': { code: 'no-canaries', env: 'staging', withCanary: ['production'] },
  'canary-not-for-app': { code: 'canary-not-for-app', app: EVIL, env: 'production' },
  'not-canary-approver': { code: 'not-canary-approver', env: 'production', gate: 'promote', approvers: { users: [], groups: ['S0EXEC'] } },
  'canary-moved-on': { code: 'canary-moved-on', canary: 'backend', shown: 'spec-1', now: 'spec-2' },
  'canary-not-asked': { code: 'canary-not-asked', canary: 'backend', gate: 'rollback' },
  'canary-unreadable': { code: 'canary-unreadable', canary: 'backend', namespace: 'production', reason: 'error', detail: EVIL },
  'canary-gate-approved': { code: 'canary-gate-approved', canary: 'backend', gate: 'promote' },
};

describe('run events in Slack', () => {
  for (const [type, [event, line]] of Object.entries(EVENTS)) {
    it(`words ${type}`, () => {
      expect(wordEvent(event as RunEvent, slackWords)).toBe(line);
    });
  }

  it('edits one line per phase: progress and its milestone share a key', () => {
    expect(progressKey(EVENTS['sync-progress'][0])).toBe(progressKey(EVENTS.synced[0]));
    expect(progressKey(EVENTS['canary-following'][0])).toBe(progressKey(EVENTS['canary-verdict'][0]));
    expect(progressKey(EVENTS.committed[0])).toBeNull();
  });

  it('draws weights as a bar of ten cells', () => {
    expect(weightBar(0)).toBe('▱▱▱▱▱▱▱▱▱▱ 0%');
    expect(weightBar(55)).toBe('▰▰▰▰▰▰▱▱▱▱ 55%');
    expect(weightBar(100)).toBe('▰▰▰▰▰▰▰▰▰▰ 100%');
  });

  it('says plain text without mrkdwn for logs and GitHub', () => {
    expect(wordEvent(EVENTS.approved[0], plainWords)).toBe('Approved by @U0LEAD (1 of 2).');
    expect(wordEvent(EVENTS.failed[0], plainWords)).toBe(`Failed: Argo CD sync failed: ${EVIL}`);
  });
});

describe('problems in Slack', () => {
  for (const [code, problem] of Object.entries(PROBLEMS)) {
    it(`words ${code} with outside text escaped once`, () => {
      const text = wordProblem(problem as Problem, slackWords);
      expect(text.length).toBeGreaterThan(10);
      expect(text).not.toMatch(/<!channel>|<b>/);
      expect(text).not.toContain('&amp;lt;');
      if (JSON.stringify(problem).includes('<!channel>')) expect(text).toContain('&lt;!channel&gt; &amp; &lt;b&gt;');
    });
  }

  it('says how long an upstream rate limit asked to wait, or that it did not say', () => {
    expect(wordProblem(PROBLEMS['upstream-limited'], slackWords)).toBe('GitHub is rate-limiting Flightdeck and asked it to wait 2m, longer than a command waits. Nothing was changed by this step; try again after that.');
    expect(wordProblem({ code: 'upstream-limited', service: 'Slack', retryAfterS: null }, slackWords)).toMatch(/^Slack is rate-limiting Flightdeck and asked it to wait a while/);
  });

  it('points an already-running version to the request whose sync failed, for Retry sync', () => {
    const retry = { runId: 'fd-1', link: 'https://slack.example/archives/C1/p1' };
    expect(wordProblem({ code: 'already-running', env: 'staging', version: 'v3.0.0', apps: ['backend'], retry }, slackWords)).toBe(
      'staging already runs `v3.0.0` (backend) in git. The sync of <https://slack.example/archives/C1/p1|request fd-1>, which committed it, failed: press Retry sync on it to have Argo CD apply it. Nothing new was requested.',
    );
    expect(wordProblem({ code: 'already-running', env: 'staging', version: 'v3.0.0', apps: ['backend'] }, slackWords)).toBe('staging already runs `v3.0.0` (backend) in git. Nothing to deploy.');
  });

  it('tells a retry of a request that did not fail at its sync why not', () => {
    expect(wordProblem({ code: 'not-retryable', state: 'succeeded', failedWith: null }, slackWords)).toBe('This request is succeeded: there is no failed sync to retry. Nothing was changed.');
    expect(wordProblem(PROBLEMS['not-retryable'], slackWords)).toMatch(/^Only a sync that failed after the commit can be retried; this request failed before that \(env-moved\)/);
  });

  it('leaves outside text as it is in plain words', () => {
    expect(wordProblem(PROBLEMS['sync-failed'], plainWords)).toBe(`Argo CD sync error: ${EVIL}`);
    expect(wordProblem(PROBLEMS.locked, plainWords)).toBe(`staging is locked by @U0LEAD: ${EVIL}. Your approval was not recorded; press Approve again once it is lifted (the request stays open until it expires or is rejected).`);
  });
});
