// End to end: signed slash commands and clicks against the running app; effects checked in git, the cluster fake and Slack.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kustomization } from '../../src/sandbox/world.js';
import { eventually, startFlightdeck, type Running } from './harness.js';
import { lastRequest, privateTo, requests, threadOf } from './slackView.js';

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
  return eventually(() => requests(fd.world).length > before && lastRequest(fd.world), { what: `request for "${text}"` });
}

async function gitopsLog() {
  return fd.world.github.log('acme/gitops');
}

describe('promote', () => {
  it('deploys to dev at once (no approval) and follows the auto-synced app', async () => {
    await fd.world.github.commit('acme/gitops', { 'k8s/overlays/dev/kustomization.yaml': kustomization('dev', 'v2.9.0', 'v2.9.0') }, { message: 'dev back to 2.9.0' });
    await pendingRequest('dev v3.0.0', 'U0DEV');
    const commit = await eventually(async () => (await gitopsLog()).find((c) => c.message.startsWith('Deploy dev')), { what: 'dev commit' });
    expect(commit.message).toContain('backend v2.9.0 -> v3.0.0');
    expect(commit.message).toContain('frontend v2.9.0 -> v3.0.0');
    expect(await fd.world.github.readFile('acme/gitops', 'k8s/overlays/dev/kustomization.yaml')).toBe(kustomization('dev', 'v3.0.0', 'v3.0.0'));
    const req = lastRequest(fd.world)!;
    expect(req.buttons).toHaveLength(0);
    await eventually(() => threadOf(fd.world, req.ts).some((t) => t.includes('healthy')), { what: 'dev healthy in thread' });
    // auto sync: Flightdeck must not have started an operation itself
    expect(fd.world.kube.calls.filter((c) => c.method === 'PATCH' && c.path.includes('shop-dev'))).toHaveLength(0);
  });

  it('asks for approval on staging, shows what changes, and delivers after Approve', async () => {
    const req = await pendingRequest('staging v3.0.0', 'U0DEV');
    expect(req.buttons.map((b) => b.text).join(' ')).toMatch(/Approve/);
    expect(req.buttons.map((b) => b.text).join(' ')).toMatch(/Reject/);
    expect(req.shown).toContain('v2.9.0');
    expect(req.shown).toContain('Add cart totals');
    expect(req.shown).toContain('bob');
    expect(req.buttons.every((b) => b.value === req.id)).toBe(true);
    const commitsBefore = (await gitopsLog()).length;

    await fd.click('deploy_approve', req.id, 'U0LEAD');
    const commit = await eventually(async () => (await gitopsLog()).find((c) => c.message.startsWith('Deploy staging')), { what: 'staging commit' });
    expect((await gitopsLog()).length).toBe(commitsBefore + 1);
    expect(commit.message).toMatch(/Requested-by: U0DEV/);
    expect(commit.message).toMatch(/Approved-by: U0LEAD/);
    expect(commit.message).toContain(req.id);
    expect(commit.message).toMatch(/Slack-thread: https?:\/\/\S+/);
    expect(await fd.world.github.readFile('acme/gitops', STAGING)).toBe(kustomization('staging', 'v3.0.0', 'v3.0.0'));

    const app = fd.world.kube.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'shop-staging');
    await eventually(() => fd.world.kube.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'shop-staging')?.status?.sync?.revision === commit.sha, { what: 'argo synced' });
    expect(app).toBeTruthy();
    const patches = fd.world.kube.calls.filter((c) => c.method === 'PATCH' && c.path.endsWith('/applications/shop-staging'));
    expect(JSON.stringify(patches[0]?.body)).toContain('argocd.argoproj.io/refresh');
    const op = patches.map((p) => p.body as any).find((b) => b?.operation);
    expect(op.operation.sync.revision).toBe(commit.sha);
    expect(op.operation.initiatedBy.username).toBe('U0DEV');

    await eventually(() => threadOf(fd.world, req.ts).some((t) => t.includes('healthy')), { what: 'healthy in thread' });
    const thread = threadOf(fd.world, req.ts).join('\n');
    expect(thread).toMatch(/Approved by <@U0LEAD>/);
    expect(thread).toMatch(/Committed/);
    const final = await eventually(() => /Deployed/.test(lastRequest(fd.world)!.shown) && lastRequest(fd.world)!, { what: 'message shows the outcome' });
    expect(final.buttons).toHaveLength(0);
    const audit = await fd.app.store.auditOf(req.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['requested', 'approved', 'committed', 'sync-requested', 'succeeded']));
  });

  it('refuses self-approval and approvals from non-approvers', async () => {
    const req = await pendingRequest('staging v3.0.0', 'U0LEAD');
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await eventually(() => privateTo(fd.world, 'U0LEAD').some((t) => /someone else must approve|own request/i.test(t)), { what: 'self-approval refusal' });
    await fd.click('deploy_approve', req.id, 'U0STRANGER');
    await eventually(() => privateTo(fd.world, 'U0STRANGER').some((t) => /not an approver|may not approve/i.test(t)), { what: 'non-approver refusal' });
    expect((await gitopsLog()).some((c) => c.message.startsWith('Deploy staging'))).toBe(false);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('pending');
  });

  it('needs two different approvers on production', async () => {
    await fd.world.github.commit('acme/gitops', { [STAGING]: kustomization('staging', 'v3.0.0', 'v3.0.0') }, { message: 'staging on 3.0.0' });
    const req = await pendingRequest('prod v3.0.0 backend', 'U0DEV');
    await fd.click('deploy_approve', req.id, 'U0EXEC1');
    await eventually(async () => (await fd.app.store.getRequest(req.id))?.approvals.length === 1, { what: 'first approval' });
    await fd.click('deploy_approve', req.id, 'U0EXEC1');
    await eventually(() => privateTo(fd.world, 'U0EXEC1').some((t) => /already approved/i.test(t)), { what: 'duplicate approval refused' });
    expect((await gitopsLog()).some((c) => c.message.startsWith('Deploy production'))).toBe(false);
    await fd.click('deploy_approve', req.id, 'U0EXEC2');
    const commit = await eventually(async () => (await gitopsLog()).find((c) => c.message.startsWith('Deploy production')), { what: 'prod commit' });
    expect(commit.message).toMatch(/Approved-by: U0EXEC1, U0EXEC2/);
    const prod = await fd.world.github.readFile('acme/gitops', PROD);
    expect(prod).toBe(kustomization('production', 'v3.0.0', 'v2.9.0'));
  });

  it('reject closes the request and changes nothing', async () => {
    const req = await pendingRequest('staging v3.0.0', 'U0DEV');
    await fd.click('deploy_reject', req.id, 'U0LEAD');
    await eventually(async () => (await fd.app.store.getRequest(req.id))?.state === 'rejected', { what: 'rejected' });
    await eventually(() => lastRequest(fd.world)!.buttons.length === 0 && /Rejected/.test(lastRequest(fd.world)!.shown), { what: 'message updated' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await eventually(() => privateTo(fd.world, 'U0LEAD').some((t) => /already rejected/.test(t)), { what: 'late approve refused' });
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
    await fd.slash('production v3.0.0', 'U0DEV');
    await eventually(() => fd.world.slack.responses.some((r) => /must run in staging/.test(r.body?.text ?? '')), { what: 'promoteFrom refusal' });

    // a failing required check
    const sha = (await fd.world.github.log('acme/backend'))[0]!.sha;
    fd.world.github.setCheckRun('acme/backend', sha, 'trivy', 'failure');
    await fd.slash('staging v3.0.0', 'U0DEV');
    await eventually(() => fd.world.slack.responses.some((r) => /trivy is failing/.test(r.body?.text ?? '')), { what: 'failing check refusal' });

    // a version that was never released
    await fd.slash('dev v9.9.9', 'U0DEV');
    await eventually(() => fd.world.slack.responses.some((r) => /no tag `v9\.9\.9`/.test(r.body?.text ?? '')), { what: 'missing tag refusal' });

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
    await new Promise((r) => setTimeout(r, 200));
    expect(requests(fd.world)).toHaveLength(0);
  });
});
