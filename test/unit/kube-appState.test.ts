// Unit tests of reading an Argo CD Application into the state the workflows judge.
import { describe, expect, it } from 'vitest';
import { busyReason, toArgoAppState } from '../../src/adapters/kube/appState.js';

const finished = { phase: 'Succeeded', operation: { sync: { revision: 'old' } }, syncResult: { revision: 'old' } };

describe('toArgoAppState', () => {
  it('reads sync, health and the finished operation', () => {
    const state = toArgoAppState({ status: { sync: { status: 'Synced', revision: 'old' }, health: { status: 'Healthy' }, operationState: finished } });
    expect(state).toEqual({ syncStatus: 'Synced', syncRevision: 'old', health: 'Healthy', operationPending: false, operationPhase: 'Succeeded', operationMessage: null, operationRevision: 'old' });
  });

  it('does not lend the previous operation\'s phase to a newly requested one', () => {
    const state = toArgoAppState({ operation: { sync: { revision: 'new' } }, status: { sync: { status: 'Synced', revision: 'old' }, operationState: finished } });
    expect(state.operationPending).toBe(true);
    expect(state.operationRevision).toBe('new');
    expect(state.operationPhase).toBeNull();
  });

  it('says who holds the app busy', () => {
    expect(busyReason({ operation: { initiatedBy: { username: 'alice' }, sync: { revision: 'x' } }, status: { operationState: { phase: 'Running' } } })).toBe('an operation is already in progress (phase Running, started by alice)');
    expect(busyReason({ status: { operationState: finished } })).toBeNull();
  });
});
