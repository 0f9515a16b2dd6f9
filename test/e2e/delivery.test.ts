// End to end: what happens after the commit (Argo CD busy, failed, timed out, GitHub Deployments) and who may start at all.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/runtime/clock.js';
import { EXAMPLE_CONFIG, kustomization, startWorld } from '../../src/sandbox/world.js';
import { eventually, startFlightdeck, type Running } from '../support/harness.js';
import { lastRequest, requests, threadOf } from '../support/slack-view.js';

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

async function approvedStaging(run: Running) {
  await run.slash('staging v3.0.0', 'U0DEV');
  await run.settled();
  const req = lastRequest(run.world)!;
  await run.click('deploy_approve', req.id, 'U0LEAD');
  return req;
}

const stateOf = async (run: Running, id: string) => (await run.app.store.getRequest(id))?.state;

describe('after the commit', () => {
  it('never overwrites an Argo CD operation in progress: reports it, waits, then syncs', async () => {
    fd = await startFlightdeck();
    fd.world.kube.argo.setOutcome('shop-staging', 'hang');
    fd.world.kube.patch('argoproj.io/v1alpha1', 'Application', 'argocd', 'shop-staging', {
      operation: { initiatedBy: { username: 'someone-else' }, sync: { revision: 'their-revision' } },
    });
    fd.world.kube.patchStatus('argoproj.io/v1alpha1', 'Application', 'argocd', 'shop-staging', { operationState: { phase: 'Running', operation: { sync: { revision: 'their-revision' } } } });
    const req = await approvedStaging(fd);
    await eventually(() => threadOf(fd!.world, req.ts).some((t) => /busy/.test(t)), { what: 'busy reported' });
    const app = () => fd!.world.kube.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'shop-staging');
    expect(app().operation.initiatedBy.username).toBe('someone-else');
    expect(await stateOf(fd, req.id)).toBe('committed');
    // the other operation ends, as Argo CD would end it
    fd.world.kube.argo.setOutcome('shop-staging', 'succeed');
    await eventually(async () => (await stateOf(fd!, req.id)) === 'succeeded', { what: 'synced after the other operation' });
    expect(app().status.sync.revision).toBe((await fd.world.github.log('acme/gitops'))[0]!.sha);
  });

  it('counts an auto-synced app as done when Argo CD synced a newer commit that contains ours', async () => {
    const world = await startWorld({ autoSyncDev: false });
    fd = await startFlightdeck({ world });
    try {
      await world.github.commit('acme/gitops', { 'k8s/overlays/dev/kustomization.yaml': kustomization('dev', 'v2.9.0', 'v2.9.0') }, { message: 'dev back to 2.9.0' });
      await fd.slash('dev v3.0.0', 'U0DEV');
      const req = await eventually(() => lastRequest(world), { what: 'request' });
      await eventually(async () => (await stateOf(fd!, req.id)) === 'syncing', { what: 'syncing' });
      // CI pushes right after us; Argo CD's next auto-sync takes the newer head, which contains our commit
      const newer = await world.github.commit('acme/gitops', { 'k8s/base/extra.yaml': 'kind: ConfigMap\n' }, { message: 'CI: unrelated change' });
      world.kube.argo.autoSync('shop-dev', newer);
      await eventually(async () => (await stateOf(fd!, req.id)) === 'succeeded', { what: 'succeeded on the newer head' });
      // it asked GitHub whether the newer head contains our commit (not one of the request's own compares of app tags)
      const ours = (await fd.app.store.getRequest(req.id))!.commitSha!;
      expect(world.github.calls.some((c) => c.path.startsWith('/repos/acme/gitops/compare/') && c.path.includes(`${ours}...${newer}`))).toBe(true);
    } finally {
      await fd.close();
      fd = undefined;
      await world.close();
    }
  });

  it('reports a failed sync in the thread and on the message', async () => {
    fd = await startFlightdeck();
    fd.world.kube.argo.setOutcome('shop-staging', 'fail');
    const req = await approvedStaging(fd);
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('failed');
    expect(threadOf(fd.world, req.ts).some((t) => /Failed: Argo CD sync failed/.test(t))).toBe(true);
    expect(lastRequest(fd.world)!.shown).toMatch(/Failed: Argo CD sync failed/);
    expect((await fd.app.store.auditOf(req.id)).map((a) => a.action)).toContain('failed');
  });

  it('times out a sync that never finishes, on the injected clock', async () => {
    const clock = new ManualClock(Date.now());
    fd = await startFlightdeck({ options: { clock } });
    fd.world.kube.argo.setOutcome('shop-staging', 'hang');
    const req = await approvedStaging(fd);
    await eventually(async () => (await stateOf(fd!, req.id)) === 'syncing', { what: 'syncing' });
    // move time a minute per poll: the follower registers its deadline just after the state changes
    await eventually(async () => {
      clock.advance(60_000);
      return (await stateOf(fd!, req.id)) === 'failed';
    }, { what: 'timed out' });
    await eventually(() => /Failed: Timed out after 10m waiting for shop-staging/.test(lastRequest(fd!.world)!.shown), { what: 'the timeout on the message' });
  });

  it('creates GitHub Deployments with statuses where enabled', async () => {
    fd = await startFlightdeck({ config: EXAMPLE_CONFIG.replace('  mode: commit', '  mode: commit\n  deployments: true') });
    const req = await approvedStaging(fd);
    await fd.settled();
    expect(await stateOf(fd, req.id)).toBe('succeeded');
    for (const repo of ['acme/backend', 'acme/frontend']) {
      const deployments = fd.world.github.deployments(repo);
      expect(deployments).toHaveLength(1);
      expect(deployments[0]!.environment).toBe('staging');
      expect(deployments[0]!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
      expect(deployments[0]!.statuses[1]!.description).toBe('production now runs v3.0.0.'.replace('production', 'staging'));
    }
  });
});

describe('requests that waited', () => {
  it('a lock that came while the request waited holds the approval', async () => {
    fd = await startFlightdeck();
    await fd.slash('staging v3.0.0', 'U0DEV');
    const req = await eventually(() => lastRequest(fd!.world), { what: 'request' });
    await fd.slash('lock staging for 1h hotfix in progress', 'U0LEAD');
    await eventually(async () => (await fd!.app.store.listLocks()).length === 1, { what: 'locked' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await eventually(() => fd!.world.slack.ephemerals('U0LEAD').some((e) => /staging is locked by <@U0LEAD>.*approval was not recorded/.test(e.text)), { what: 'approval held by lock' });
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('pending');
    expect((await fd.world.github.log('acme/gitops')).some((c) => c.message.startsWith('Deploy staging'))).toBe(false);
  });

  it('does not undo a newer deploy: an overlay that moved since the request fails it, nothing committed', async () => {
    fd = await startFlightdeck();
    await fd.slash('staging v3.0.0', 'U0DEV');
    const req = await eventually(() => lastRequest(fd!.world), { what: 'request' });
    const overlay = 'k8s/overlays/staging/kustomization.yaml';
    const moved = (await fd.world.github.readFile('acme/gitops', overlay))!.replace('newTag: v2.9.0', 'newTag: v3.1.0');
    await fd.world.github.commit('acme/gitops', { [overlay]: moved }, { message: 'hotfix by hand' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await eventually(async () => (await fd!.app.store.getRequest(req.id))?.state === 'failed', { what: 'failed' });
    await eventually(() => /staging changed since this was requested \(backend runs `v3\.1\.0`/.test(lastRequest(fd!.world)!.shown), { what: 'the reason on the message' });
    expect(await fd.world.github.readFile('acme/gitops', overlay)).toBe(moved);
  });
});

describe('who may start a deploy, and when', () => {
  it('closes the request and says what to do when the channel cannot be posted in', async () => {
    fd = await startFlightdeck();
    fd.world.slack.failNext('chat.postMessage', { error: 'not_in_channel' });
    const res = await fd.slash('staging v3.0.0', 'U0DEV');
    await eventually(() => fd!.world.slack.responses.some((r) => r.url === res.responseUrl && /Invite me/.test(r.body?.text ?? '')), { what: 'not-in-channel answer' });
    const stored = await fd.app.store.listRequests(['failed']);
    expect(stored).toHaveLength(1);
    expect(await fd.app.store.listRequests(['pending'])).toHaveLength(0);
  });

  it('refuses a user who is not among the environment\'s deployers', async () => {
    fd = await startFlightdeck();
    const res = await fd.slash('dev v3.0.0', 'U0STRANGER');
    await eventually(() => fd!.world.slack.responses.some((r) => r.url === res.responseUrl && /may not deploy to dev/.test(r.body?.text ?? '')), { what: 'permission refusal' });
    expect(requests(fd.world)).toHaveLength(0);
  });

  it('refuses production during a freeze window and while all environments are locked', async () => {
    const frozen = EXAMPLE_CONFIG.replace('channels:', 'freezes:\n  - { name: release-freeze, cron: "* * * * *", duration: 1h, environments: [production] }\nchannels:');
    fd = await startFlightdeck({ config: frozen });
    await fd.world.github.commit('acme/gitops', { 'k8s/overlays/staging/kustomization.yaml': (await fd.world.github.readFile('acme/gitops', 'k8s/overlays/dev/kustomization.yaml'))!.replaceAll('dev', 'staging') });
    const prod = await fd.slash('production v3.0.0', 'U0DEV');
    await eventually(() => fd!.world.slack.responses.some((r) => r.url === prod.responseUrl && /frozen \(release-freeze\)/.test(r.body?.text ?? '')), { what: 'freeze refusal' });
    await fd.slash('lock all for 30m stop the line', 'U0LEAD');
    const staging = await fd.slash('staging v3.0.0', 'U0DEV');
    await eventually(() => fd!.world.slack.responses.some((r) => r.url === staging.responseUrl && /All environments are locked/.test(r.body?.text ?? '')), { what: 'lock-all refusal' });
    expect(requests(fd.world)).toHaveLength(0);
  });
});

describe('apps whose images are tagged by commit', () => {
  it('deploys a commit SHA: looks up the commit, compares, and writes the prefixed tag', async () => {
    const config = EXAMPLE_CONFIG.replace(
      'environments:',
      '  - name: worker\n    image: ghcr.io/acme/worker\n    source: acme/worker\n    versions: commits\n    tagPrefix: sha-\nenvironments:',
    );
    fd = await startFlightdeck({ config });
    const github = fd.world.github;
    await github.createRepo('acme/worker', { 'main.go': 'package main\n' });
    const old = await github.commit('acme/worker', { 'queue.go': 'package main // v1\n' }, { message: 'Queue v1', author: 'dana' });
    const next = await github.commit('acme/worker', { 'queue.go': 'package main // v2\n' }, { message: 'Retry failed jobs', author: 'erin' });
    const dev = 'k8s/overlays/dev/kustomization.yaml';
    const before = (await github.readFile('acme/gitops', dev))!;
    await github.commit('acme/gitops', { [dev]: `${before}  - name: ghcr.io/acme/worker\n    newTag: sha-${old.slice(0, 7)}\n` }, { message: 'add worker' });

    await fd.slash(`dev ${next.slice(0, 7)} worker`, 'U0DEV');
    const req = await eventually(() => lastRequest(fd!.world), { what: 'worker request' });
    expect(req.shown).toContain('Retry failed jobs');
    await eventually(async () => (await github.log('acme/gitops'))[0]!.message.startsWith('Deploy dev: worker'), { what: 'worker commit' });
    const file = (await github.readFile('acme/gitops', dev))!;
    expect(file).toContain(`newTag: sha-${next.slice(0, 7)}`);
    expect(file.startsWith(before)).toBe(true);
  });
});
