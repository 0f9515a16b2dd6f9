// Prints how long one scheduler tick takes with 10,000 pending timers in a SQLite store (none due, then 100 due).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/adapters/store/sqlite.js';
import { ManualClock } from '../src/runtime/clock.js';
import { createLogger } from '../src/runtime/logger.js';
import { Scheduler } from '../src/scheduler/scheduler.js';

const PENDING = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'flightdeck-bench-'));
const store = SqliteStore.open(join(dir, 'bench.db'));
const clock = new ManualClock(Date.UTC(2026, 0, 1));
let fired = 0;
const scheduler = new Scheduler(store, clock, { bench: async () => void (fired += 1) }, createLogger('silent'));

for (let i = 0; i < PENDING; i += 1) await store.schedule('bench', `t${i}`, clock.now() + 60_000 + i * 1_000);

async function timedTick(label: string): Promise<void> {
  const runs: number[] = [];
  for (let i = 0; i < 20; i += 1) {
    const started = performance.now();
    await scheduler.tick();
    runs.push(performance.now() - started);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label}: median ${runs[10]!.toFixed(3)} ms, max ${runs.at(-1)!.toFixed(3)} ms`);
}

await timedTick(`tick, ${PENDING} pending timers, none due`);
clock.advance(60_000 + 99 * 1_000);
const started = performance.now();
await scheduler.tick();
console.log(`tick firing ${fired} due timers of ${PENDING}: ${(performance.now() - started).toFixed(3)} ms`);
await store.close();
rmSync(dir, { recursive: true, force: true });
