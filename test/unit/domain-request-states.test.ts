// The deploy request state machine table.
import { describe, expect, it } from 'vitest';
import { ACTIVE_STATES, assertTransition, canTransition, isTerminal, TRANSITIONS } from '../../src/domain/requestStates.js';
import type { RequestState } from '../../src/domain/types.js';

describe('request states', () => {
  it('allows the moves of the lifecycle', () => {
    const allowed: Array<[RequestState, RequestState]> = [
      ['pending', 'approved'], ['pending', 'rejected'], ['pending', 'expired'], ['pending', 'failed'],
      ['approved', 'committed'], ['approved', 'aborting'], ['approved', 'failed'],
      ['committed', 'syncing'], ['committed', 'succeeded'], ['committed', 'failed'],
      ['failed', 'committed'],
      ['syncing', 'analysing'], ['syncing', 'succeeded'], ['syncing', 'failed'],
      ['analysing', 'succeeded'], ['analysing', 'failed'],
      ['aborting', 'succeeded'], ['aborting', 'failed'],
    ];
    for (const [from, to] of allowed) expect(canTransition(from, to), `${from} -> ${to}`).toBe(true);
    const count = Object.values(TRANSITIONS).reduce((n, targets) => n + targets.length, 0);
    expect(count).toBe(allowed.length);
  });

  it('refuses anything else', () => {
    expect(canTransition('pending', 'committed')).toBe(false);
    expect(canTransition('approved', 'pending')).toBe(false);
    expect(canTransition('succeeded', 'failed')).toBe(false);
    expect(() => assertTransition('rejected', 'approved')).toThrow('request state cannot move from rejected to approved');
  });

  it('knows terminal and active states', () => {
    for (const s of ['succeeded', 'failed', 'rejected', 'expired'] as const) expect(isTerminal(s)).toBe(true);
    for (const s of ['pending', 'approved', 'committed', 'syncing', 'analysing', 'aborting'] as const) expect(isTerminal(s)).toBe(false);
    expect(ACTIVE_STATES).toEqual(['approved', 'committed', 'syncing', 'analysing', 'aborting']);
  });
});
