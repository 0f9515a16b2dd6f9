// End to end: timers fire from the real cron tick, and a timer that came due while no process ran fires right after the start.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/runtime/clock.js';
import { startFlightdeck, type Running } from '../support/harness.js';

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

describe('timers', () => {
  it('lifts a lock when its duration ends, from the cron tick (scheduler.tick is every second in the example config)', async () => {
    const clock = new ManualClock(Date.now());
    fd = await startFlightdeck({ options: { clock, cronTick: true } });
    await fd.slash('lock staging for 10m release', 'U0LEAD');
    await fd.settled();
    expect((await fd.app.store.listLocks()).map((l) => l.env)).toEqual(['staging']);
    clock.advance(9 * 60_000);
    await fd.app.tick(); // what the cron runs: not due yet
    expect(await fd.app.store.listLocks()).toHaveLength(1);
    clock.advance(60_000);
    // no explicit tick from here: only the cron can lift it
    await expect.poll(async () => (await fd!.app.store.listLocks()).length, { timeout: 5_000 }).toBe(0);
  });

  it('fires a timer that came due while the process was down right after the next start', async () => {
    const clock = new ManualClock(Date.now());
    fd = await startFlightdeck({ options: { clock, cronTick: false } });
    await fd.slash('lock staging for 5m', 'U0LEAD');
    await fd.settled();
    await fd.restart({ clock, cronTick: false });
    clock.advance(6 * 60_000);
    await fd.restart({ clock, cronTick: true });
    await fd.settled();
    expect(await fd.app.store.listLocks()).toEqual([]);
  });
});
