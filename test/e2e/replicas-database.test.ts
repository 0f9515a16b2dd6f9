// End to end: /readyz follows the PostgreSQL database, commands are refused, with a private answer, while it is gone, and the pool reconnects when it returns.
import { afterEach, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { requests } from '../support/slack-view.js';
import { createTestSchema, POSTGRES_SKIP, POSTGRES_URL } from '../support/store-backends.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

if (!POSTGRES_URL) process.stderr.write(`${POSTGRES_SKIP}\n`);

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function start(): Promise<{ world: World; fd: Running; proxy: TcpProxy }> {
  const world = await startWorld();
  cleanups.push(() => world.close());
  const schema = await createTestSchema(POSTGRES_URL!);
  cleanups.push(() => schema.drop());
  const direct = new URL(schema.url);
  const proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  cleanups.push(() => proxy.close());
  const proxied = new URL(schema.url);
  proxied.port = String(proxy.port);
  const fd = await startFlightdeck({ world, env: { DATABASE_URL: proxied.toString() } });
  cleanups.push(() => fd.close());
  return { world, fd, proxy };
}

const readyz = async (fd: Running) => (await fetch(`${fd.url}/readyz`)).status;

describe.skipIf(!POSTGRES_URL)('the database goes away and comes back', () => {
  it('turns /readyz to 503 and refuses commands while PostgreSQL is unreachable, and serves again once it is back', async () => {
    const { world, fd, proxy } = await start();
    expect(await readyz(fd)).toBe(200);

    await proxy.cut();
    await expect.poll(() => readyz(fd)).toBe(503);
    // nothing can be recorded, so nothing is done, and the person is told so privately
    const refused = await fd.slash('staging v3.0.0', 'U0DEV');
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.body)).toEqual({ response_type: 'ephemeral', text: 'Flightdeck cannot record anything right now (its database does not answer), so it did nothing. Try again in a minute.' });
    const responsesBefore = world.slack.responses.length;
    expect((await fd.click('deploy_approve', 'fd-0123456789', 'U0LEAD')).status).toBe(200);
    await expect.poll(() => world.slack.responses.slice(responsesBefore).map((r) => r.body?.text)).toEqual([expect.stringMatching(/^Flightdeck cannot record anything right now/)]);
    await fd.settled();
    expect(requests(world)).toHaveLength(0);

    await proxy.restore();
    await expect.poll(() => readyz(fd)).toBe(200);
    expect((await fd.slash('staging v3.0.0', 'U0DEV')).status).toBe(200);
    await fd.settled();
    expect(requests(world)).toHaveLength(1);
  });
});
