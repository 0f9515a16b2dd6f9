// End to end: a real Flightdeck process killed with SIGKILL mid-delivery; a second replica on the same PostgreSQL database finishes the run.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/runtime/clock.js';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../../src/sandbox/slack/requests.js';
import { SIGNING_SECRET, startWorld, type World } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { lastRequest, threadOf } from '../support/slack-view.js';
import { createTestSchema, POSTGRES_SKIP, POSTGRES_URL } from '../support/store-backends.js';

if (!POSTGRES_URL) process.stderr.write(`${POSTGRES_SKIP}\n`);

const root = join(import.meta.dirname, '../..');
const STAGING_APP = '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/shop-staging';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** `npm start` on the world, with the database given; resolves once /readyz answers 200. */
async function startProcess(world: World, databaseUrl: string): Promise<{ child: ChildProcess; url: string; exited: Promise<unknown> }> {
  const port = 30_000 + Math.floor(Math.random() * 20_000);
  const env = { ...process.env, ...world.env, DATABASE_URL: databaseUrl, PORT: String(port), LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], { cwd: world.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while ((await fetch(`${url}/readyz`).catch(() => null))?.status !== 200) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`flightdeck did not become ready:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, exited };
}

const syncsAccepted = (world: World) => world.kube.calls.filter((c) => c.method === 'PATCH' && c.path === STAGING_APP && (c.body as any)?.operation && c.status! < 300);

describe.skipIf(!POSTGRES_URL)('a replica killed mid-delivery', () => {
  it('is taken over by the other replica once its lease expired: committed once, synced once, every line said once', { timeout: 180_000 }, async () => {
    const world = await startWorld();
    cleanups.push(() => world.close());
    const schema = await createTestSchema(POSTGRES_URL!);
    cleanups.push(() => schema.drop());
    world.kube.argo.setOutcome('shop-staging', 'hang');

    const first = await startProcess(world, schema.url);
    const slash = slashCommandBody({ command: '/deploy', text: 'staging v3.0.0', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: world.slack.responseUrl() });
    expect((await postToSlackEndpoint(`${first.url}/slack/events`, SIGNING_SECRET, slash)).status).toBe(200);
    await expect.poll(() => lastRequest(world)?.id, { timeout: 20_000 }).toBeTruthy();
    const req = lastRequest(world)!;
    const approve = blockActionBody({ actionId: 'deploy_approve', value: req.id, userId: 'U0LEAD', channelId: 'C0DEPLOYS', messageTs: req.ts, responseUrl: world.slack.responseUrl() });
    expect((await postToSlackEndpoint(`${first.url}/slack/events`, SIGNING_SECRET, approve)).status).toBe(200);

    // The second replica starts while the first drives the run: it must leave the run alone.
    const clock = new ManualClock(Date.now());
    const second: Running = await startFlightdeck({ world, env: { DATABASE_URL: schema.url }, options: { clock } });
    cleanups.push(() => second.close());
    await expect.poll(async () => (await second.app.store.getRequest(req.id))?.state, { timeout: 20_000 }).toBe('syncing');
    await second.settled();
    expect(syncsAccepted(world)).toHaveLength(1);

    first.child.kill('SIGKILL');
    await first.exited;
    world.kube.argo.setOutcome('shop-staging', 'succeed');
    await second.app.tick();
    await second.settled();
    expect((await second.app.store.getRequest(req.id))?.state).toBe('syncing'); // the dead replica's lease still holds

    clock.advance(Date.now() - clock.now() + 45_000); // past the 30 s lease (renewed at most 10 s before the kill)
    await second.app.tick();
    await expect.poll(async () => (await second.app.store.getRequest(req.id))?.state, { timeout: 20_000 }).toBe('succeeded');
    await second.settled();
    expect((await world.github.log('acme/gitops')).filter((c) => c.message.startsWith('Deploy staging'))).toHaveLength(1);
    expect(syncsAccepted(world)).toHaveLength(1);
    const thread = threadOf(world, req.ts);
    expect(thread.filter((t) => /healthy/i.test(t))).toHaveLength(1);
    expect(thread).toEqual([...new Set(thread)]);
  });
});
