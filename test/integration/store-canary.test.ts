// Store contract for canary gates and followers, run against every backend: revisions supersede, gates open once, rows survive a reopen.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/ports.js';
import { freshStoreEach, skippedHere, storeBackends, type StoreDatabase } from '../support/store-backends.js';

const REV = { namespace: 'production', canary: 'backend', checksum: 'c1', appliedSpec: 'spec-1', firstSeen: 1_000 };
const PROMOTE = { namespace: 'production', canary: 'backend', checksum: 'c1', gate: 'promote' as const };

for (const backend of storeBackends) {
  describe(`canary gates and followers (${backend.name})`, () => {
    if (skippedHere(backend)) return;
    let db: StoreDatabase;
    let store: Store;
    freshStoreEach(backend, (d, s) => {
      db = d;
      store = s;
    });

    it('notes a revision once, fills its spec hash later, and finds its checksum by spec hash', async () => {
      expect(await store.noteCanaryRevision({ ...REV, appliedSpec: null })).toEqual({ isNew: true, needsSpec: true });
      expect(await store.noteCanaryRevision({ ...REV, appliedSpec: null })).toEqual({ isNew: false, needsSpec: true });
      expect(await store.canaryChecksumOf('production', 'backend', 'spec-1')).toBeNull();
      expect(await store.noteCanaryRevision(REV)).toEqual({ isNew: false, needsSpec: false });
      expect(await store.noteCanaryRevision({ ...REV, appliedSpec: null })).toEqual({ isNew: false, needsSpec: false });
      expect(await store.canaryChecksumOf('production', 'backend', 'spec-1')).toBe('c1');
      expect(await store.canaryChecksumOf('staging', 'backend', 'spec-1')).toBeNull();
    });

    it('opens a gate on the last approval needed, from different people only', async () => {
      await store.noteCanaryRevision(REV);
      expect(await store.canaryGate(PROMOTE)).toBeNull();
      const first = await store.approveCanaryGate(PROMOTE, 'U1', 2, 10);
      expect(first).toMatchObject({ kind: 'recorded', gate: { open: false, required: 2, approvals: [{ user: 'U1', at: 10 }] } });
      expect((await store.approveCanaryGate(PROMOTE, 'U1', 2, 11)).kind).toBe('duplicate');
      const second = await store.approveCanaryGate(PROMOTE, 'U2', 2, 12);
      expect(second).toMatchObject({ kind: 'opened', gate: { open: true, openedAt: 12 } });
      expect((await store.approveCanaryGate(PROMOTE, 'U3', 2, 13)).kind).toBe('already-open');
      expect(await store.canaryGate({ ...PROMOTE, gate: 'rollback' })).toBeNull();
      // required 0 still needs one press: a gate opens only when someone allowed pressed it
      expect((await store.approveCanaryGate({ ...PROMOTE, gate: 'rollback' }, 'U4', 0, 14)).kind).toBe('opened');
    });

    it('forgets a revision and its gates when a later checksum is presented, or when it ended', async () => {
      await store.noteCanaryRevision(REV);
      await store.approveCanaryGate(PROMOTE, 'U1', 1, 10);
      await store.noteCanaryRevision({ ...REV, checksum: 'c2', appliedSpec: 'spec-2', firstSeen: 2_000 });
      expect(await store.canaryGate(PROMOTE)).toBeNull();
      expect((await store.approveCanaryGate(PROMOTE, 'U2', 1, 20)).kind).toBe('superseded');
      expect(await store.canaryChecksumOf('production', 'backend', 'spec-1')).toBeNull();
      expect(await store.endCanaryRevisions('production', 'backend', 'spec-2')).toBe(1);
      expect(await store.canaryChecksumOf('production', 'backend', 'spec-2')).toBeNull();
    });

    it('serialises concurrent presses: exactly one of them opens the gate', async () => {
      const other = await db.open();
      await store.noteCanaryRevision(REV);
      const outcomes = await Promise.all(['U1', 'U2', 'U3', 'U4'].map((u, i) => (i % 2 ? other : store).approveCanaryGate(PROMOTE, u, 2, 10 + i)));
      expect(outcomes.filter((o) => o.kind === 'opened')).toHaveLength(1);
      expect(outcomes.filter((o) => o.kind === 'already-open')).toHaveLength(2);
    });

    it('keeps followers and gates across a reopen, one row per thread', async () => {
      const follower = { namespace: 'production', canary: 'backend', context: '', env: 'production', channel: 'C1', threadTs: '1.1', user: 'U1', since: 5, lastSaid: 'a' };
      expect(await store.addCanaryFollower(follower)).toBe(true);
      expect(await store.addCanaryFollower({ ...follower, user: 'U2' })).toBe(false);
      expect(await store.addCanaryFollower({ ...follower, threadTs: '2.2' })).toBe(true);
      await store.markCanaryFollowers('production', 'backend', '', 'b');
      await store.noteCanaryRevision(REV);
      await store.approveCanaryGate(PROMOTE, 'U1', 1, 10);
      await store.close();
      const reopened = await db.open();
      expect((await reopened.canaryFollowers()).map((f) => [f.threadTs, f.lastSaid])).toEqual([['1.1', 'b'], ['2.2', 'b']]);
      expect((await reopened.canaryGate(PROMOTE))?.open).toBe(true);
      expect(await reopened.removeCanaryFollowers('production', 'backend', '')).toBe(2);
      expect(await reopened.canaryFollowers()).toEqual([]);
    });
  });
}
