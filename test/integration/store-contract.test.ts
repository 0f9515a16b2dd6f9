// The Store contract, written once and run against every backend in store-backends.ts.
import { describe, expect, it } from 'vitest';
import type { Store } from '../../src/ports.js';
import type { DeployRequest } from '../../src/domain/types.js';
import { freshStoreEach, skippedHere, storeBackends, type StoreDatabase } from '../support/store-backends.js';

function aRequest(id: string, overrides: Partial<DeployRequest> = {}): DeployRequest {
  return {
    id,
    kind: 'deploy',
    env: 'staging',
    version: 'v1.4.2',
    changes: [
      {
        app: 'api',
        image: 'ghcr.io/acme/api',
        source: 'acme/api',
        from: 'v1.4.1',
        to: 'v1.4.2',
        sha: 'a'.repeat(40),
        compare: { total: 2, commits: [{ sha: 'b'.repeat(40), title: 'Fix "quotes" and ünïcode', author: 'ada' }], url: 'https://github.com/acme/api/compare/x...y' },
        checks: ['build', 'test'],
      },
      { app: 'web', image: 'ghcr.io/acme/web', source: 'acme/web', from: null, to: 'v1.4.2', sha: 'c'.repeat(40), compare: null, checks: [] },
    ],
    requester: 'U_REQ',
    channel: 'C_DEPLOY',
    messageTs: null,
    state: 'pending',
    required: 2,
    approvals: [],
    rejectedBy: null,
    createdAt: 1_000,
    expiresAt: 901_000,
    commitSha: null,
    canaryBaseline: null,
    outcome: null,
    overlayBase: null,
    updatedAt: 1_000,
    ...overrides,
  };
}

describe.each(storeBackends)('Store contract: $name', (backend) => {
  if (skippedHere(backend)) return;
  let db: StoreDatabase;
  let store: Store;

  freshStoreEach(backend, (d, s) => {
    db = d;
    store = s;
  });

  it('answers ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('returns a created request with every field, and null for an unknown id', async () => {
    const request = aRequest('run-1', { messageTs: '171.5', rejectedBy: null, commitSha: null, outcome: { result: 'note', text: 'so far so good' } });
    await store.createRequest(request);
    expect(await store.getRequest('run-1')).toEqual(request);
    expect(await store.getRequest('nope')).toBeNull();
  });

  it('refuses a second request with the same id', async () => {
    await store.createRequest(aRequest('run-1'));
    await expect(store.createRequest(aRequest('run-1'))).rejects.toThrow();
  });

  it('transitions while the state is `from`, applying the patch', async () => {
    await store.createRequest(aRequest('run-1'));
    const rejected = await store.transition('run-1', 'pending', 'rejected', { rejectedBy: 'U_X', outcome: { result: 'rejected', withdrawn: false } }, 5_000);
    expect(rejected).toMatchObject({ state: 'rejected', rejectedBy: 'U_X', outcome: { result: 'rejected', withdrawn: false }, updatedAt: 5_000, version: 'v1.4.2' });
    expect(await store.getRequest('run-1')).toEqual(rejected);
  });

  it('reports a lost race as null and changes nothing', async () => {
    await store.createRequest(aRequest('run-1'));
    await store.transition('run-1', 'pending', 'rejected', {}, 5_000);
    expect(await store.transition('run-1', 'pending', 'expired', { outcome: { result: 'expired' } }, 6_000)).toBeNull();
    expect(await store.getRequest('run-1')).toMatchObject({ state: 'rejected', outcome: null, updatedAt: 5_000 });
    expect(await store.transition('missing', 'pending', 'expired', {}, 6_000)).toBeNull();
  });

  it('keeps what a transition records: the commit and the canary analysis it waits for', async () => {
    await store.createRequest(aRequest('run-1', { state: 'approved' }));
    await store.transition('run-1', 'approved', 'committed', { commitSha: 'c'.repeat(40), canaryBaseline: '' }, 2_000);
    expect(await store.getRequest('run-1')).toMatchObject({ state: 'committed', commitSha: 'c'.repeat(40), canaryBaseline: '' });
    await store.transition('run-1', 'committed', 'syncing', { canaryBaseline: '5f8c7d' }, 3_000);
    expect(await store.getRequest('run-1')).toMatchObject({ state: 'syncing', canaryBaseline: '5f8c7d' });
  });

  it('lets exactly one of two replicas win the same transition', async () => {
    const other = await db.open();
    for (let i = 0; i < 10; i++) {
      await store.createRequest(aRequest(`run-${i}`, { state: 'approved' }));
      const results = await Promise.all([
        store.transition(`run-${i}`, 'approved', 'committed', { commitSha: 'one' }, 2_000),
        other.transition(`run-${i}`, 'approved', 'committed', { commitSha: 'two' }, 2_000),
      ]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    }
  });

  it('throws on a move the state machine does not allow', async () => {
    await store.createRequest(aRequest('run-1'));
    await expect(store.transition('run-1', 'pending', 'succeeded', {}, 2_000)).rejects.toThrow(/pending.*succeeded/);
    expect((await store.getRequest('run-1'))?.state).toBe('pending');
  });

  it('patches fields other than the state', async () => {
    await store.createRequest(aRequest('run-1'));
    const patched = await store.patchRequest('run-1', { messageTs: '1712.000100', channel: 'C_OTHER' }, 3_000);
    expect(patched).toMatchObject({ messageTs: '1712.000100', channel: 'C_OTHER', state: 'pending', updatedAt: 3_000 });
    expect(await store.getRequest('run-1')).toEqual(patched);
    expect(await store.patchRequest('missing', { outcome: { result: 'expired' } }, 3_000)).toBeNull();
  });

  it('records approvals until enough distinct people approved', async () => {
    await store.createRequest(aRequest('run-1', { required: 2 }));
    expect(await store.approve('run-1', 'U_A', 2_000)).toMatchObject({ kind: 'recorded', request: { state: 'pending', approvals: ['U_A'] } });
    expect(await store.approve('run-1', 'U_A', 2_500)).toMatchObject({ kind: 'duplicate', request: { state: 'pending', approvals: ['U_A'] } });
    const approved = await store.approve('run-1', 'U_B', 3_000);
    expect(approved).toMatchObject({ kind: 'approved', request: { state: 'approved', approvals: ['U_A', 'U_B'], updatedAt: 3_000 } });
    expect(await store.approve('run-1', 'U_C', 4_000)).toMatchObject({ kind: 'not-pending', request: { state: 'approved', approvals: ['U_A', 'U_B'] } });
    expect(await store.getRequest('run-1')).toEqual(approved?.request);
    expect(await store.approve('missing', 'U_A', 4_000)).toBeNull();
  });

  it('keeps approvals in the order they were given', async () => {
    await store.createRequest(aRequest('run-1', { required: 3 }));
    for (const user of ['U_Z', 'U_A', 'U_M']) await store.approve('run-1', user, 2_000);
    expect((await store.getRequest('run-1'))?.approvals).toEqual(['U_Z', 'U_A', 'U_M']);
  });

  it('does not record approvals once the request left pending', async () => {
    await store.createRequest(aRequest('run-1'));
    await store.transition('run-1', 'pending', 'expired', {}, 2_000);
    expect(await store.approve('run-1', 'U_A', 3_000)).toMatchObject({ kind: 'not-pending', request: { state: 'expired', approvals: [] } });
  });

  it('does not record an approval that arrives at or after the expiry, even while still pending', async () => {
    await store.createRequest(aRequest('run-1'));
    expect(await store.approve('run-1', 'U_A', 901_000)).toMatchObject({ kind: 'expired', request: { state: 'pending', approvals: [] } });
    expect((await store.getRequest('run-1'))?.approvals).toEqual([]);
  });

  it('yields exactly one approval decision when two replicas approve at once', async () => {
    const other = await db.open();
    for (let i = 0; i < 10; i++) {
      await store.createRequest(aRequest(`two-${i}`, { required: 2 }));
      const both = await Promise.all([store.approve(`two-${i}`, 'U_A', 2_000), other.approve(`two-${i}`, 'U_B', 2_000)]);
      expect(both.map((o) => o?.kind).sort()).toEqual(['approved', 'recorded']);

      await store.createRequest(aRequest(`last-${i}`, { required: 2 }));
      await store.approve(`last-${i}`, 'U_A', 2_000);
      const race = await Promise.all([store.approve(`last-${i}`, 'U_B', 3_000), other.approve(`last-${i}`, 'U_C', 3_000)]);
      expect(race.map((o) => o?.kind).sort()).toEqual(['approved', 'not-pending']);
      expect((await other.getRequest(`last-${i}`))?.approvals).toHaveLength(2);
    }
  });

  it('lists requests in the given states with their approvals', async () => {
    await store.createRequest(aRequest('a', { createdAt: 1 }));
    await store.createRequest(aRequest('b', { createdAt: 2, state: 'approved' }));
    await store.createRequest(aRequest('c', { createdAt: 3, state: 'failed' }));
    await store.approve('a', 'U_A', 5);
    const listed = await store.listRequests(['pending', 'approved']);
    expect(listed.map((r) => [r.id, r.approvals])).toEqual([['a', ['U_A']], ['b', []]]);
    expect(await store.listRequests([])).toEqual([]);
  });

  it('claims each due timer once, across replicas', async () => {
    const other = await db.open();
    await store.schedule('expiry', 'a', 100);
    await store.schedule('expiry', 'b', 200);
    await store.schedule('lock', 'a', 300);
    const [mine, theirs] = await Promise.all([store.claimDue(250, 10), other.claimDue(250, 10)]);
    const claimed = [...mine, ...theirs].map((t) => `${t.kind}/${t.key}@${t.dueAt}`).sort();
    expect(claimed).toEqual(['expiry/a@100', 'expiry/b@200']);
    expect(await store.claimDue(250, 10)).toEqual([]);
    expect((await other.claimDue(1_000, 10)).map((t) => t.key)).toEqual(['a']);
  });

  it('never hands one timer to two claimers, many timers, small batches', async () => {
    const other = await db.open();
    for (let i = 0; i < 60; i++) await store.schedule('t', `k${i}`, i);
    const drain = async (s: Store): Promise<number[]> => {
      const ids: number[] = [];
      for (let batch = await s.claimDue(100, 7); batch.length > 0; batch = await s.claimDue(100, 7)) ids.push(...batch.map((t) => t.id));
      return ids;
    };
    const all = (await Promise.all([drain(store), drain(other), drain(store)])).flat();
    expect(all).toHaveLength(60);
    expect(new Set(all).size).toBe(60);
  });

  it('claims at most `limit` timers, earliest first', async () => {
    await store.schedule('t', 'late', 30);
    await store.schedule('t', 'early', 10);
    await store.schedule('t', 'mid', 20);
    expect((await store.claimDue(100, 2)).map((t) => t.key)).toEqual(['early', 'mid']);
  });

  it('moves a timer when scheduled again, re-arms a claimed one, and forgets a cancelled one', async () => {
    await store.schedule('expiry', 'run-1', 100);
    await store.schedule('expiry', 'run-1', 500);
    expect(await store.claimDue(200, 10)).toEqual([]);
    const [fired] = await store.claimDue(500, 10);
    expect(fired).toMatchObject({ kind: 'expiry', key: 'run-1', dueAt: 500 });
    await store.schedule('expiry', 'run-1', 600);
    expect((await store.claimDue(600, 10)).map((t) => t.dueAt)).toEqual([600]);
    await store.schedule('expiry', 'run-2', 700);
    await store.cancel('expiry', 'run-2');
    await store.cancel('expiry', 'never-scheduled');
    expect(await store.claimDue(10_000, 10)).toEqual([]);
  });

  it('puts, replaces, lists and removes locks', async () => {
    await store.putLock({ env: 'prod', owner: 'U_A', reason: 'migration', since: 1, until: null });
    await store.putLock({ env: '*', owner: 'U_B', reason: 'freeze', since: 2, until: 99 });
    await store.putLock({ env: 'prod', owner: 'U_C', reason: 'incident', since: 3, until: 50 });
    expect(await store.listLocks()).toEqual([
      { env: '*', owner: 'U_B', reason: 'freeze', since: 2, until: 99 },
      { env: 'prod', owner: 'U_C', reason: 'incident', since: 3, until: 50 },
    ]);
    expect(await store.removeLock('prod')).toEqual({ env: 'prod', owner: 'U_C', reason: 'incident', since: 3, until: 50 });
    expect(await store.removeLock('prod')).toBeNull();
    expect((await store.listLocks()).map((l) => l.env)).toEqual(['*']);
  });

  it('returns a run’s audit entries in the order they were written', async () => {
    await store.audit({ at: 5, runId: 'r1', actor: 'U_A', action: 'requested', detail: { env: 'prod', apps: ['api'] } });
    await store.audit({ at: 4, runId: 'r2', actor: 'U_B', action: 'requested', detail: {} });
    await store.audit({ at: 3, runId: 'r1', actor: 'flightdeck', action: 'committed', detail: { sha: 'abc', nested: { n: 1 } } });
    expect(await store.auditOf('r1')).toEqual([
      { at: 5, runId: 'r1', actor: 'U_A', action: 'requested', detail: { env: 'prod', apps: ['api'] } },
      { at: 3, runId: 'r1', actor: 'flightdeck', action: 'committed', detail: { sha: 'abc', nested: { n: 1 } } },
    ]);
    expect(await store.auditOf('none')).toEqual([]);
  });

  it('says an id is new only the first time, on any replica', async () => {
    const other = await db.open();
    expect(await store.firstSeen('evt-1', 1_000)).toBe(true);
    expect(await store.firstSeen('evt-1', 1_001)).toBe(false);
    expect(await other.firstSeen('evt-1', 1_002)).toBe(false);
    const race = await Promise.all([store.firstSeen('evt-2', 1_003), other.firstSeen('evt-2', 1_003)]);
    expect(race.sort()).toEqual([false, true]);
  });

  it('keeps everything across a restart', async () => {
    await store.createRequest(aRequest('run-1', { required: 2 }));
    await store.approve('run-1', 'U_A', 2_000);
    await store.createRequest(aRequest('run-2', { state: 'approved' }));
    await store.transition('run-2', 'approved', 'committed', { commitSha: 'f'.repeat(40) }, 2_500);
    await store.putLock({ env: 'prod', owner: 'U_A', reason: 'r', since: 1, until: null });
    await store.audit({ at: 3_000, runId: 'run-1', actor: 'U_A', action: 'approved', detail: { n: 1 } });
    await store.schedule('expiry', 'run-1', 5_000);
    await store.schedule('expiry', 'gone', 100);
    await store.claimDue(200, 10);
    await store.firstSeen('evt-1', 3_000);
    const before = await store.listRequests(['pending', 'committed']);
    await store.close();

    const restarted = await db.open();
    expect(await restarted.listRequests(['pending', 'committed'])).toEqual(before);
    expect(before.map((r) => [r.id, r.approvals, r.commitSha])).toEqual([
      ['run-1', ['U_A'], null],
      ['run-2', [], 'f'.repeat(40)],
    ]);
    expect(await restarted.listLocks()).toHaveLength(1);
    expect(await restarted.auditOf('run-1')).toHaveLength(1);
    expect(await restarted.firstSeen('evt-1', 3_100)).toBe(false);
    expect((await restarted.claimDue(10_000, 10)).map((t) => t.key)).toEqual(['run-1']);
    expect((await restarted.approve('run-1', 'U_B', 6_000))?.kind).toBe('approved');
  });
});
