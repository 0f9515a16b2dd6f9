// The IncidentStore part of the Store contract, run against every backend in store-backends.ts.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/ports.js';
import { freshStoreEach, skippedHere, storeBackends, type StoreDatabase } from '../support/store-backends.js';

describe.each(storeBackends)('Store contract, incidents: $name', (backend) => {
  if (skippedHere(backend)) return;
  let db: StoreDatabase;
  let store: Store;

  freshStoreEach(backend, (d, s) => {
    db = d;
    store = s;
  });

  const declare = (title = 'checkout <!channel> is "failing" ünï 🔥') =>
    store.createIncident({ severity: 'sev1', title, declarer: 'U0ANA', declaredAt: 1_000, origin: { runId: 'fd-1', kind: 'deploy', env: 'production', version: 'v3.0.0', thread: { channel: 'C1', ts: '1.2' } } });

  it('numbers incidents 1, 2, ... and returns every field', async () => {
    const first = await declare();
    const second = await declare('two');
    expect(second.number).toBe(first.number + 1);
    expect(await store.getIncident(first.number)).toEqual(first);
    expect(first).toMatchObject({ state: 'open', tier: 0, commander: 'U0ANA', clockStartedAt: 1_000, channel: null, pagerKey: null, title: 'checkout <!channel> is "failing" ünï 🔥' });
    expect(first.origin).toEqual({ runId: 'fd-1', kind: 'deploy', env: 'production', version: 'v3.0.0', thread: { channel: 'C1', ts: '1.2' } });
    expect(await store.getIncident(999)).toBeNull();
  });

  it('finds an incident by its channel and lists by state', async () => {
    const a = await declare();
    const b = await declare('b');
    await store.updateIncident(a.number, { states: ['open'] }, { channel: 'C0INC1', channelName: 'inc-1-a' }, 2_000);
    await store.updateIncident(b.number, { states: ['open'] }, { state: 'resolved', resolvedAt: 3_000 }, 3_000);
    expect((await store.incidentInChannel('C0INC1'))?.number).toBe(a.number);
    expect(await store.incidentInChannel('C0OTHER')).toBeNull();
    expect((await store.listIncidents(['open', 'acknowledged'])).map((i) => i.number)).toEqual([a.number]);
    expect((await store.listIncidents(['resolved'])).map((i) => i.number)).toEqual([b.number]);
  });

  it('applies an update only while its guard holds (compare-and-set)', async () => {
    const a = await declare();
    const escalated = await store.updateIncident(a.number, { states: ['open'], tier: 0 }, { tier: 1, clockStartedAt: 5_000 }, 5_000);
    expect(escalated).toMatchObject({ tier: 1, clockStartedAt: 5_000, updatedAt: 5_000 });
    // a second escalation from tier 0 lost the race
    expect(await store.updateIncident(a.number, { states: ['open'], tier: 0 }, { tier: 1 }, 6_000)).toBeNull();
    const acked = await store.updateIncident(a.number, { states: ['open'] }, { state: 'acknowledged', acknowledgedAt: 7_000, acknowledgedBy: 'U0BOB' }, 7_000);
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'U0BOB' });
    expect(await store.updateIncident(a.number, { states: ['open'] }, { state: 'acknowledged' }, 8_000)).toBeNull();
    expect(await store.updateIncident(a.number, { states: ['acknowledged'] }, { state: 'resolved', resolvedAt: 9_000 }, 9_000)).toMatchObject({ state: 'resolved' });
    await expect(store.updateIncident(a.number, { states: ['resolved'] }, { state: 'open' }, 10_000)).rejects.toThrow(/resolved -> open/);
  });

  it('keeps the timeline in order, with raw parameters', async () => {
    const a = await declare();
    await store.addTimeline(a.number, { at: 1_000, actor: 'U0ANA', event: { type: 'update', text: '<!here> & <@U1>' } });
    await store.addTimeline(a.number, { at: 2_000, actor: 'U0BOB', event: { type: 'acknowledged', by: 'U0BOB', afterMs: 1_000 } });
    expect(await store.timelineOf(a.number)).toEqual([
      { at: 1_000, actor: 'U0ANA', event: { type: 'update', text: '<!here> & <@U1>' } },
      { at: 2_000, actor: 'U0BOB', event: { type: 'acknowledged', by: 'U0BOB', afterMs: 1_000 } },
    ]);
  });

  it('survives a reopen, and a second store on the same database sees the same incidents', async () => {
    const a = await declare();
    const other = await db.open();
    expect((await other.getIncident(a.number))?.title).toBe(a.title);
    const results = await Promise.all([
      store.updateIncident(a.number, { states: ['open'], tier: 0 }, { tier: 1 }, 2_000),
      other.updateIncident(a.number, { states: ['open'], tier: 0 }, { tier: 1 }, 2_000),
    ]);
    expect(results.filter((r) => r !== null)).toHaveLength(1);
  });
});
