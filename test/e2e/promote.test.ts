// End to end: signed slash commands and clicks against the running app; effects checked in git, the cluster fake and Slack.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kustomization } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { answersTo, lastRequest, privateTo, requests, threadOf } from '../support/slack-view.js';

const STAGING = 'k8s/overlays/staging/kustomization.yaml';
const PROD = 'k8s/overlays/production/kustomization.yaml';

let fd: Running;
beforeEach(async () => {
  fd = await startFlightdeck();
});
afterEach(async () => {
  await fd.close();
});

async function pendingRequest(text: string, user: string) {
  const before = requests(fd.world).length;
  const res = await fd.slash(text, user);
  expect(res.status).toBe(200);
  await fd.settled();
  expect(requests(fd.world)).toHaveLength(before + 1);
  return lastRequest(fd.world)!;
}

async function gitopsLog() {
  return fd.world.github.log('acme/gitops');
}

describe('promote', () => {
  it('deploys to dev at once (no approval) and follows the auto-synced app', async () => {
    await fd.world.github.commit('acme/gitops', { 'k8s/overlays/dev/kustomization.yaml': kustomization('dev', 'v2.9.0', 'v2.9.0') }, { message: 'dev back to 2.9.0' });
    await pendingRequest('dev v3.0.0', 'U0DEV');
    const commit = (await gitopsLog()).find((c) => c.message.startsWith('Deploy dev'))!;
    expect(commit.message).toContain('backend v2.9.0 -> v3.0.0');
    expect(commit.message).toContain('frontend v2.9.0 -> v3.0.0');
    expect(await fd.world.github.readFile('acme/gitops', 'k8s/overlays/dev/kustomization.yaml')).toBe(kustomization('dev', 'v3.0.0', 'v3.0.0'));
    const req = lastRequest(fd.world)!;
    expect(req.buttons).toHaveLength(0);
    expect(threadOf(fd.world, req.ts).some((t) => t.includes('healthy'))).toBe(true);
    expect(req.shown).toMatch(/Deployed v3\.0\.0 to dev/);
    // auto sync: Flightdeck must not have started an operation itself
    expect(fd.world.kube.calls.filter((c) => c.method === 'PATCH' && c.path.includes('shop-dev'))).toHaveLength(0);
  });

  it('asks for approval on staging, shows what changes, and delivers after Approve', async () => {
    const req = await pendingRequest('staging v3.0.0', 'U0DEV');
    expect(req.buttons.map((b) => b.text).join(' ')).toMatch(/Approve/);
    expect(req.buttons.map((b) => b.text).join(' ')).toMatch(/Reject/);
    expect(req.shown).toContain('v2.9.0');
    expect(req.shown).toContain('Add cart totals');
    expect(req.shown).toMatch(/<https?:\/\/[^|>]+\/acme\/backend\/compare\/v2\.9\.0\.\.\.v3\.0\.0\|compare>/);
    expect(req.shown).toContain('bob');
    expect(req.buttons.every((b) => b.value === req.id)).toBe(true);
    const commitsBefore = (await gitopsLog()).length;
    const kubeBefore = fd.world.kube.calls.length;

    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    const commit = (await gitopsLog()).find((c) => c.message.startsWith('Deploy staging'))!;
    expect((await gitopsLog()).length).toBe(commitsBefore + 1);
    expect(commit.message).toMatch(/Requested-by: U0DEV/);
    expect(commit.message).toMatch(/Approved-by: U0LEAD/);
    expect(commit.message).toContain(req.id);
    expect(commit.message).toMatch(/Slack-thread: https?:\/\/\S+/);
    expect(await fd.world.github.readFile('acme/gitops', STAGING)).toBe(kustomization('staging', 'v3.0.0', 'v3.0.0'));

    expect(fd.world.kube.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'shop-staging')?.status?.sync?.revision).toBe(commit.sha);
    // one conditional write asks for the refresh and the sync together, never over an operation in progress
    const patches = fd.world.kube.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/applications/shop-staging'));
    expect(patches).toHaveLength(1);
    const op = patches[0]!.body as any;
    expect(op.metadata.annotations['argocd.argoproj.io/refresh']).toBe('normal');
    expect(op.metadata.resourceVersion).toBeTruthy();
    expect(op.operation.sync.revision).toBe(commit.sha);
    expect(op.operation.initiatedBy.username).toBe('U0DEV');
    // approve -> sync requested is one Kubernetes round trip after the commit: the Application was read alongside it
    const afterApprove = fd.world.kube.calls.slice(kubeBefore).filter((c) => c.path.endsWith('/applications/shop-staging'));
    const syncAt = afterApprove.findIndex((c) => c.method === 'PATCH');
    expect(afterApprove.slice(0, syncAt).map((c) => c.method)).toEqual(['GET']);
    const put = fd.world.github.calls.find((c) => c.method === 'PUT')!;
    expect(afterApprove[0]!.startedAt!).toBeLessThan(put.endedAt);

    const thread = threadOf(fd.world, req.ts).join('\n');
    expect(thread).toMatch(/Approved by <@U0LEAD>/);
    expect(thread).toMatch(/Committed <[^|]+\/acme\/gitops\/commit\/[0-9a-f]{40}\|[0-9a-f]{7}>/);
    expect(thread).toMatch(/shop-staging is synced to `[0-9a-f]{7}` and healthy/);
    const final = lastRequest(fd.world)!;
    expect(final.shown).toMatch(/Deployed v3\.0\.0 to staging/);
    expect(final.buttons).toHaveLength(0);
    const audit = await fd.app.store.auditOf(req.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['requested', 'approved', 'committed', 'sync-requested', 'succeeded']));
  });

  it('refuses self-approval and approvals from non-approvers', async () => {
    const req = await pendingRequest('staging v3.0.0', 'U0LEAD');
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(privateTo(fd.world, 'U0LEAD').some((t) => /someone else must approve/i.test(t))).toBe(true);
    await fd.click('deploy_approve', req.id, 'U0STRANGER');
    await fd.settled();
    expect(privateTo(fd.world, 'U0STRANGER').some((t) => /not an approver/i.test(t))).toBe(true);
    expect((await gitopsLog()).some((c) => c.message.startsWith('Deploy staging'))).toBe(false);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('pending');
  });

  it('needs two different approvers on production', async () => {
    await fd.world.github.commit('acme/gitops', { [STAGING]: kustomization('staging', 'v3.0.0', 'v3.0.0') }, { message: 'staging on 3.0.0' });
    const req = await pendingRequest('prod v3.0.0 backend', 'U0DEV');
    await fd.click('deploy_approve', req.id, 'U0EXEC1');
    await fd.settled();
    expect((await fd.app.store.getRequest(req.id))?.approvals).toEqual(['U0EXEC1']);
    await fd.click('deploy_approve', req.id, 'U0EXEC1');
    await fd.settled();
    expect(privateTo(fd.world, 'U0EXEC1').some((t) => /already approved/i.test(t))).toBe(true);
    expect((await gitopsLog()).some((c) => c.message.startsWith('Deploy production'))).toBe(false);
    await fd.click('deploy_approve', req.id, 'U0EXEC2');
    await fd.settled();
    const commit = (await gitopsLog()).find((c) => c.message.startsWith('Deploy production'))!;
    expect(commit.message).toMatch(/Approved-by: U0EXEC1, U0EXEC2/);
    const prod = await fd.world.github.readFile('acme/gitops', PROD);
    expect(prod).toBe(kustomization('production', 'v3.0.0', 'v2.9.0'));
  });

  it('reject closes the request and changes nothing', async () => {
    const req = await pendingRequest('staging v3.0.0', 'U0DEV');
    await fd.click('deploy_reject', req.id, 'U0LEAD');
    await fd.settled();
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('rejected');
    expect(lastRequest(fd.world)!.buttons).toHaveLength(0);
    expect(lastRequest(fd.world)!.shown).toMatch(/Rejected by <@U0LEAD>/);
    expect(threadOf(fd.world, req.ts)).toContain(':no_entry_sign: Rejected by <@U0LEAD>. Nothing was deployed.');
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(privateTo(fd.world, 'U0LEAD').some((t) => /already rejected/.test(t))).toBe(true);
    expect(await fd.world.github.readFile('acme/gitops', STAGING)).toBe(kustomization('staging', 'v2.9.0', 'v2.9.0'));
  });

  it('refuses what must not be deployed, privately and without changing anything', async () => {
    const head = await fd.world.github.headSha('acme/gitops');
    const unknown = await fd.slash('qa v3.0.0', 'U0DEV');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toMatch(/Unknown environment/i);
    expect(unknown.body).toMatch(/staging/);
    expect(unknown.body).toMatch(/ephemeral/);
    const malformed = await fd.slash('staging v3.0.0:latest!', 'U0DEV');
    expect(malformed.body).toMatch(/not a valid (image tag|version)/i);
    const notSemver = await fd.slash('production latest', 'U0DEV');
    expect(notSemver.body).toMatch(/semver/i);

    // promoteFrom: production needs what staging runs
    const order = await fd.slash('production v3.0.0', 'U0DEV');
    await fd.settled();
    expect(answersTo(fd.world, order.responseUrl).join('\n')).toMatch(/must run in staging/);

    // a failing required check
    const sha = (await fd.world.github.log('acme/backend'))[0]!.sha;
    fd.world.github.setCheckRun('acme/backend', sha, 'trivy', 'failure');
    const failing = await fd.slash('staging v3.0.0', 'U0DEV');
    await fd.settled();
    expect(answersTo(fd.world, failing.responseUrl).join('\n')).toMatch(/trivy is failing/);

    // a version that was never released: said so, not that it must run in dev first
    const missing = await fd.slash('staging v9.9.9', 'U0DEV');
    await fd.settled();
    expect(answersTo(fd.world, missing.responseUrl).join('\n')).toMatch(/has no tag `v9\.9\.9`/);
    expect(answersTo(fd.world, missing.responseUrl).join('\n')).not.toMatch(/must run in/);

    expect(await fd.world.github.headSha('acme/gitops')).toBe(head);
    expect(requests(fd.world)).toHaveLength(0);
  });

  it('answers 401 to bad signatures and stale timestamps', async () => {
    const { postToSlackEndpoint, slashCommandBody } = await import('../../src/sandbox/slack/requests.js');
    const body = slashCommandBody({ command: '/deploy', text: 'dev v3.0.0', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: fd.world.slack.responseUrl() });
    const bad = await postToSlackEndpoint(`${fd.url}/slack/events`, 'wrong-secret', body);
    expect(bad.status).toBe(401);
    const stale = await postToSlackEndpoint(`${fd.url}/slack/events`, 'sandbox-signing-secret', body, { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    await fd.settled();
    expect(requests(fd.world)).toHaveLength(0);
  });
});

describe('requests that meet', () => {
  /** v3.1.0 of both apps, released and green, and running in dev. */
  async function release310() {
    for (const app of ['backend', 'frontend']) {
      const sha = await fd.world.github.commit(`acme/${app}`, { 'src/version.txt': '3.1.0\n' }, { message: 'Release 3.1.0', author: 'dave' });
      await fd.world.github.tag(`acme/${app}`, 'v3.1.0', sha);
      fd.world.github.setCheckRun(`acme/${app}`, sha, 'test', 'success');
      fd.world.github.setCheckRun(`acme/${app}`, sha, 'trivy', 'success');
    }
    await fd.world.github.commit('acme/gitops', { 'k8s/overlays/dev/kustomization.yaml': kustomization('dev', 'v3.1.0', 'v3.1.0') }, { message: 'CI: dev on 3.1.0' });
  }

  it('points a second identical request to the open one instead of asking twice', async () => {
    const first = await pendingRequest('staging v3.0.0', 'U0DEV');
    const again = await fd.slash('staging v3.0.0', 'U0LEAD');
    await fd.settled();
    expect(answersTo(fd.world, again.responseUrl).join('\n')).toMatch(new RegExp(`\`v3\\.0\\.0\` to staging is already waiting for approval: see <[^|]+\\|the open request ${first.id}>`));
    expect(requests(fd.world)).toHaveLength(1);
  });

  it('closes a waiting request at once when another deploy overtook it', async () => {
    const older = await pendingRequest('staging v3.0.0', 'U0DEV');
    await release310();
    const newer = await pendingRequest('staging v3.1.0', 'U0DEV');
    await fd.click('deploy_approve', newer.id, 'U0LEAD');
    await fd.settled();
    expect((await fd.app.store.getRequest(newer.id))?.state).toBe('succeeded');
    expect((await fd.app.store.getRequest(older.id))?.state).toBe('failed');
    const olderNow = requests(fd.world).find((r) => r.id === older.id)!;
    expect(olderNow.buttons).toHaveLength(0);
    expect(olderNow.shown).toMatch(new RegExp(`staging moved on: \`${newer.id}\` deployed \`v3\\.1\\.0\` there first`));
    await fd.click('deploy_approve', older.id, 'U0LEAD');
    await fd.settled();
    expect(privateTo(fd.world, 'U0LEAD').join('\n')).toMatch(/already failed; nothing was changed/);
    expect(await fd.world.github.readFile('acme/gitops', STAGING)).toBe(kustomization('staging', 'v3.1.0', 'v3.1.0'));
  });
});
