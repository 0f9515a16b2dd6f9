// End to end: two replicas on one PostgreSQL database: one commit for approvals on both, a run handed over, an escalation fired once.
import { afterEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/adapters/store/postgres.js';
import { startPagerFake, type PagerFake } from '../../src/sandbox/pager/server.js';
import { postToSlackEndpoint, slashCommandBody } from '../../src/sandbox/slack/requests.js';
import { kustomization, SIGNING_SECRET, startWorld } from '../../src/sandbox/world.js';
import { eventually, type Running } from '../support/harness.js';
import { incidentChannel, incidentConfig, incidentSlash, ROUTING_KEY, said } from '../support/incident-driver.js';
import { startReplicaPair, type ReplicaPair } from '../support/replica-pair.js';
import { answersTo, lastRequest, requests, threadOf } from '../support/slack-view.js';
import { POSTGRES_SKIP, POSTGRES_URL } from '../support/store-backends.js';

if (!POSTGRES_URL) process.stderr.write(`${POSTGRES_SKIP}\n`);

let pair: ReplicaPair | undefined;
let pager: PagerFake | undefined;
afterEach(async () => {
  await pair?.close();
  await pager?.close();
  pair = undefined;
  pager = undefined;
});

const STAGING_APP = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/shop-staging';
const commitsTo = async (p: ReplicaPair, env: string) => (await p.world.github.log('acme/gitops')).filter((c) => c.message.startsWith(`Deploy ${env}`));
const syncsAccepted = (p: ReplicaPair, path: string) => p.world.kube.calls.filter((c) => c.method === 'PATCH' && c.path === path && (c.body as any)?.operation && c.status! < 300);
const settledBoth = async (p: ReplicaPair) => Promise.all([p.a.settled(), p.b.settled()]);

async function requestOn(replica: Running, p: ReplicaPair, text: string) {
  const before = requests(p.world).length;
  await replica.slash(text, 'U0DEV');
  await replica.settled();
  expect(requests(p.world)).toHaveLength(before + 1);
  return lastRequest(p.world)!;
}

describe.skipIf(!POSTGRES_URL)('two replicas on one PostgreSQL database', () => {
  it('approvals pressed on both replicas at once produce one commit, one sync and one story in the thread', async () => {
    pair = await startReplicaPair();
    const p = pair;
    await p.world.github.commit('acme/gitops', { 'k8s/overlays/staging/kustomization.yaml': kustomization('staging', 'v3.0.0', 'v3.0.0') }, { message: 'staging on 3.0.0' });
    const req = await requestOn(p.a, p, 'production v3.0.0');
    await p.b.click('deploy_approve', req.id, 'U0EXEC1');
    await settledBoth(p);
    expect((await p.a.app.store.getRequest(req.id))?.approvals).toEqual(['U0EXEC1']);
    await Promise.all([p.a.click('deploy_approve', req.id, 'U0EXEC2'), p.b.click('deploy_approve', req.id, 'U0EXEC3')]);
    await settledBoth(p);
    await expect.poll(async () => (await p.b.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect(await commitsTo(p, 'production')).toHaveLength(1);
    expect(syncsAccepted(p, '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/shop-prod')).toHaveLength(1);
    const thread = threadOf(p.world, req.ts);
    expect(thread.filter((t) => /healthy/i.test(t))).toHaveLength(1);
    expect(thread).toEqual([...new Set(thread)]);
  });

  it('a Slack request replayed to the other replica is acknowledged and dropped: one request posted', async () => {
    pair = await startReplicaPair();
    const p = pair;
    const responseUrl = p.world.slack.responseUrl();
    const body = slashCommandBody({ command: '/deploy', text: 'staging v3.0.0', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl });
    const timestampSec = Math.floor(Date.now() / 1000);
    const [first, replay] = await Promise.all([p.a, p.b].map((r) => postToSlackEndpoint(`${r.url}/slack/events`, SIGNING_SECRET, body, { timestampSec })));
    expect([first!.status, replay!.status]).toEqual([200, 200]);
    await settledBoth(p);
    expect(requests(p.world)).toHaveLength(1);
    expect(await p.a.app.store.listRequests(['pending'])).toHaveLength(1);
    // handled twice, the second would have been told the deploy is already requested
    expect(answersTo(p.world, responseUrl).join('\n')).not.toMatch(/already/i);
  });

  it('a replica stopping mid-delivery hands the run over: the other finishes it from the recorded state, nothing twice', async () => {
    pair = await startReplicaPair();
    const p = pair;
    p.world.kube.argo.setOutcome('shop-staging', 'hang');
    const req = await requestOn(p.a, p, 'staging v3.0.0');
    await p.a.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(async () => (await p.b.app.store.getRequest(req.id))?.state).toBe('syncing');
    // b resumes nothing of a's: a holds the run's lease
    await p.b.app.tick();
    await p.b.settled();
    expect((await p.b.app.store.getRequest(req.id))?.state).toBe('syncing');
    await p.a.app.stop();
    p.world.kube.argo.setOutcome('shop-staging', 'succeed');
    // the handover made the run's lease timer due at once: b's next tick adopts the run
    await p.b.app.tick();
    await expect.poll(async () => (await p.b.app.store.getRequest(req.id))?.state, { timeout: 20_000 }).toBe('succeeded');
    await p.b.settled();
    expect(await commitsTo(p, 'staging')).toHaveLength(1);
    expect(syncsAccepted(p, STAGING_APP)).toHaveLength(1);
    const thread = threadOf(p.world, req.ts);
    expect(thread.filter((t) => /healthy/i.test(t))).toHaveLength(1);
  });

  it('an escalation that came due while one replica was down fires once, also when its first claimant died before finishing it', async () => {
    pager = await startPagerFake({ routingKey: ROUTING_KEY });
    const world = await startWorld({ config: incidentConfig(pager.url) });
    world.slack.setUsergroup('S0LEADS', ['U0LEAD1', 'U0LEAD2']);
    await world.github.createRepo('acme/incidents', { 'README.md': '# incidents\n' });
    pair = await startReplicaPair({ world, env: { PAGER_ROUTING_KEY: ROUTING_KEY } });
    const p = pair;
    await incidentSlash(p.a, 'sev1 checkout is failing', 'U0ANA');
    const channel = await incidentChannel(p.a, /^inc-1-/);
    await eventually(() => said(p.a, channel.id).some((t) => t.includes('External pager: trigger')), { what: 'pager outcome' });
    await p.a.app.stop();
    p.clock.advance(31_000);
    // A replica claims the due escalation and dies before its handler finished: nobody else may fire it until the claim expires.
    const dying = await PostgresStore.open(p.databaseUrl, { max: 1 });
    expect((await dying.claimDue(p.clock.now(), 10)).map((t) => t.kind)).toHaveLength(1);
    await dying.close();
    await p.b.app.tick();
    await p.b.settled();
    const escalations = () => said(p.b, channel.id).filter((t) => t.includes('escalated to tier'));
    expect(escalations()).toHaveLength(0);
    p.clock.advance(2 * 60_000);
    const c = await p.another();
    await Promise.all([p.b.app.tick(), c.app.tick()]);
    await Promise.all([p.b.settled(), c.settled()]);
    expect(escalations()).toHaveLength(1);
    expect((await c.app.store.getIncident(1))?.tier).toBe(1);
  });
});
