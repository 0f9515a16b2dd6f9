// Unit tests of how a sync is judged from the Application states Argo CD reports (domain/syncVerdict).
import { describe, expect, it } from 'vitest';
import type { ArgoAppState } from '../../src/ports.js';
import { judgeSync, syncProgress } from '../../src/domain/syncVerdict.js';

const judge = (state: ArgoAppState, revision: string) => judgeSync(state, revision, 'shop');

const REV = 'abc123';
const base: ArgoAppState = { syncStatus: 'Synced', syncRevision: 'old', health: 'Healthy', operationPending: false, operationPhase: null, operationMessage: null, operationRevision: null };
const at = (patch: Partial<ArgoAppState>): ArgoAppState => ({ ...base, ...patch });

describe('judge', () => {
  it('waits while the app is still on the old revision, even when synced and healthy', () => {
    expect(judge(base, REV)).toEqual({ done: false });
  });
  it('waits while our operation runs', () => {
    expect(judge(at({ syncRevision: REV, operationPending: true, operationPhase: 'Running', operationRevision: REV }), REV)).toEqual({ done: false });
  });
  it('succeeds on our revision, synced and healthy, with no operation left', () => {
    expect(judge(at({ syncRevision: REV, operationPhase: 'Succeeded', operationRevision: REV }), REV)).toEqual({ done: true, ok: true });
  });
  it('waits while health is Progressing after the sync', () => {
    expect(judge(at({ syncRevision: REV, health: 'Progressing', operationPhase: 'Succeeded', operationRevision: REV }), REV)).toEqual({ done: false });
  });
  it('fails when our operation failed, with Argo CD\'s message', () => {
    const verdict = judge(at({ syncStatus: 'OutOfSync', operationPhase: 'Failed', operationRevision: REV, operationMessage: 'one or more objects failed to apply' }), REV);
    expect(verdict).toEqual({ done: true, ok: false, problem: { code: 'sync-failed', application: 'shop', phase: 'Failed', message: 'one or more objects failed to apply' } });
  });
  it('ignores a failed operation of another revision', () => {
    expect(judge(at({ operationPhase: 'Failed', operationRevision: 'other' }), REV)).toEqual({ done: false });
  });
  it('succeeds when our operation succeeded although the branch moved on (sync.revision is a newer head)', () => {
    expect(judge(at({ syncRevision: 'newer-head', operationPhase: 'Succeeded', operationRevision: REV }), REV)).toEqual({ done: true, ok: true });
  });
  it('keeps Argo CD\'s failure message raw: only the edge escapes it', () => {
    expect(judge(at({ operationPhase: 'Error', operationRevision: REV, operationMessage: '<!channel> boom' }), REV)).toMatchObject({ problem: { code: 'sync-failed', phase: 'Error', message: '<!channel> boom' } });
  });
  it('fails when the synced app turns Degraded', () => {
    expect(judge(at({ syncRevision: REV, health: 'Degraded' }), REV)).toMatchObject({ done: true, ok: false, problem: { code: 'unhealthy', health: 'Degraded' } });
  });
});

describe('syncProgress', () => {
  it('says nothing until our revision shows, then the operation and the app', () => {
    expect(syncProgress(base, REV)).toBeNull();
    expect(syncProgress(at({ operationPending: true, operationRevision: REV }), REV)).toEqual({ phase: 'Requested', syncStatus: 'Synced', health: 'Healthy' });
    expect(syncProgress(at({ operationPhase: 'Running', operationRevision: REV, health: 'Progressing' }), REV)).toEqual({ phase: 'Running', syncStatus: 'Synced', health: 'Progressing' });
  });
});
