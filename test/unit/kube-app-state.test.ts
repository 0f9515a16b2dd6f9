// Unit tests of reading an Argo CD Application into the state the workflows judge.
import { describe, expect, it } from 'vitest';
import { busyWith, fromState, toArgoAppState } from '../../src/adapters/kube/appState.js';

const finished = { phase: 'Succeeded', operation: { sync: { revision: 'old' } }, syncResult: { revision: 'old' } };

describe('toArgoAppState', () => {
  it('reads sync, health and the finished operation', () => {
    const state = toArgoAppState({ status: { sync: { status: 'Synced', revision: 'old' }, health: { status: 'Healthy' }, operationState: finished } });
    expect(state).toEqual({ syncStatus: 'Synced', syncRevision: 'old', health: 'Healthy', operationPending: false, operationPhase: 'Succeeded', operationMessage: null, operationRevision: 'old', operationUser: null, resourceVersion: null });
  });

  it('does not lend the previous operation\'s phase to a newly requested one', () => {
    const state = toArgoAppState({ operation: { sync: { revision: 'new' } }, status: { sync: { status: 'Synced', revision: 'old' }, operationState: finished } });
    expect(state.operationPending).toBe(true);
    expect(state.operationRevision).toBe('new');
    expect(state.operationPhase).toBeNull();
  });

  it('says who holds the app busy', () => {
    expect(busyWith({ operation: { initiatedBy: { username: 'alice' }, sync: { revision: 'x' } }, status: { operationState: { phase: 'Running' } } })).toEqual({ phase: 'Running', by: 'alice' });
    expect(busyWith({ status: { operationState: { phase: 'Running', operation: { initiatedBy: { automated: true } } } } })).toEqual({ phase: 'Running', by: null });
    expect(busyWith({ status: { operationState: finished } })).toBeNull();
  });

  it('rebuilds from a state read earlier what a conditional sync request needs', () => {
    const app = { metadata: { resourceVersion: '42' }, operation: { initiatedBy: { username: 'bob' }, sync: { revision: 'r1' } }, status: { operationState: { phase: 'Running' } } };
    const again = fromState(toArgoAppState(app));
    expect(again.metadata?.resourceVersion).toBe('42');
    expect(busyWith(again)).toEqual({ phase: 'Running', by: 'bob' });
    expect(busyWith(fromState(toArgoAppState({ metadata: { resourceVersion: '7' }, status: { operationState: finished } })))).toBeNull();
  });
});
