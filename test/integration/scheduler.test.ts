// The scheduler against a real SQLite store: due timers run once, and a handler that fails keeps its timer for a later try.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/adapters/store/sqlite.js';
import { ManualClock } from '../../src/runtime/clock.js';
import { createLogger } from '../../src/runtime/logger.js';
import { RETRY_AFTER_MS, Scheduler } from '../../src/scheduler/scheduler.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function storeOnDisk(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'flightdeck-scheduler-'));
  dirs.push(dir);
  return SqliteStore.open(join(dir, 'store.db'));
}

describe('Scheduler', () => {
  it('runs each due timer once, and only when due', async () => {
    const store = storeOnDisk();
    const clock = new ManualClock(1_000_000);
    const ran: string[] = [];
    const scheduler = new Scheduler(store, clock, { ping: async (t) => void ran.push(t.key) }, createLogger('silent'));
    await store.schedule('ping', 'a', 1_000_500);
    await scheduler.tick();
    expect(ran).toEqual([]);
    clock.advance(500);
    await Promise.all([scheduler.tick(), scheduler.tick()]);
    await scheduler.tick();
    expect(ran).toEqual(['a']);
    await store.close();
  });

  it('keeps the timer of a handler that failed and tries it again later', async () => {
    const store = storeOnDisk();
    const clock = new ManualClock(1_000_000);
    let calls = 0;
    const scheduler = new Scheduler(store, clock, {
      flaky: async () => {
        calls += 1;
        if (calls === 1) throw new Error('upstream down');
      },
    }, createLogger('silent'));
    await store.schedule('flaky', 'k', 1_000_000);
    await scheduler.tick();
    expect(calls).toBe(1);
    await scheduler.tick();
    expect(calls).toBe(1);
    clock.advance(RETRY_AFTER_MS);
    await scheduler.tick();
    expect(calls).toBe(2);
    clock.advance(RETRY_AFTER_MS);
    await scheduler.tick();
    expect(calls).toBe(2);
    await store.close();
  });
});
