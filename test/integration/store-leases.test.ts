// Store contract for leases, run against every backend: timer claims that expire, and run leases one owner at a time.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/ports.js';
import { freshStoreEach, skippedHere, storeBackends, type StoreDatabase } from '../support/store-backends.js';

describe.each(storeBackends)('Store contract, leases: $name', (backend) => {
  if (skippedHere(backend)) return;
  let db: StoreDatabase;
  let store: Store;
  let other: Store;

  freshStoreEach(backend, async (d, s) => {
    db = d;
    store = s;
    other = await d.open();
  });

  it('claims a timer again once its claimant held it past the lease, and never after it was finished', async () => {
    await store.schedule('escalate', 'INC-1', 100);
    const [claimed] = await store.claimDue(100, 10, 1_000);
    expect(claimed).toMatchObject({ kind: 'escalate', key: 'INC-1', dueAt: 100 });
    expect(await other.claimDue(1_099, 10, 1_000)).toEqual([]);
    // the claimant died: a second replica claims it once the lease ran out, exactly once
    const race = await Promise.all([other.claimDue(1_100, 10, 1_000), store.claimDue(1_100, 10, 1_000)]);
    expect(race.flat().map((t) => t.key)).toEqual(['INC-1']);
    await other.finishTimer(race.flat()[0]!);
    expect(await store.claimDue(100_000, 10, 1_000)).toEqual([]);
  });

  it('keeps a timer its handler scheduled again, even when the handler finishes after that', async () => {
    await store.schedule('escalate', 'INC-1', 100);
    const [claimed] = await store.claimDue(100, 10);
    await store.schedule('escalate', 'INC-1', 900); // the next tier
    await store.finishTimer(claimed!);
    expect(await other.claimDue(800, 10)).toEqual([]);
    expect((await other.claimDue(900, 10)).map((t) => t.dueAt)).toEqual([900]);
  });

  it('gives a lease to one owner at a time, renews it for that owner, and hands it over once expired or released', async () => {
    expect(await store.takeLease('run:a', 'replica-1', 1_000, 500)).toBe(true);
    expect(await other.takeLease('run:a', 'replica-2', 1_200, 500)).toBe(false);
    expect(await store.takeLease('run:a', 'replica-1', 1_400, 500)).toBe(true); // renewed until 1_900
    expect(await other.takeLease('run:a', 'replica-2', 1_800, 500)).toBe(false);
    expect(await other.takeLease('run:a', 'replica-2', 1_900, 500)).toBe(true); // replica-1 stopped renewing
    expect(await store.takeLease('run:a', 'replica-1', 1_950, 500)).toBe(false);
    await store.releaseLease('run:a', 'replica-1'); // not its lease any more: no effect
    expect(await store.takeLease('run:a', 'replica-1', 2_000, 500)).toBe(false);
    await other.releaseLease('run:a', 'replica-2');
    expect(await store.takeLease('run:a', 'replica-1', 2_000, 500)).toBe(true);
    expect(await store.takeLease('run:b', 'replica-2', 2_000, 500)).toBe(true);
  });

  it('lets exactly one of many replicas take a free lease at once', async () => {
    const third = await db.open();
    for (let i = 0; i < 10; i++) {
      const takes = await Promise.all([store, other, third].map((s, n) => s.takeLease(`run:${i}`, `replica-${n}`, 1_000, 500)));
      expect(takes.filter(Boolean)).toHaveLength(1);
      const expired = await Promise.all([store, other, third].map((s, n) => s.takeLease(`run:${i}`, `late-${n}`, 2_000, 500)));
      expect(expired.filter(Boolean)).toHaveLength(1);
    }
  });
});
