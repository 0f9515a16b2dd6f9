// Unit tests of reading a Flagger Canary and judging its analysis of our revision against the hash read before the commit.
import { describe, expect, it } from 'vitest';
import { toCanaryState } from '../../src/adapters/kube/canaryState.js';
import type { CanaryState } from '../../src/ports.js';
import { canaryStage, judgeCanary } from '../../src/domain/canaryVerdict.js';

const BASE = 'spec-old';
const before: CanaryState = {
  phase: 'Succeeded', canaryWeight: 0, iterations: 0, failedChecks: 0, lastAppliedSpec: BASE, lastPromotedSpec: BASE,
  message: 'Canary analysis completed successfully, promotion finished.', target: { kind: 'Deployment', name: 'backend' }, maxWeight: 50, stepWeight: 10, threshold: 5,
};
const at = (patch: Partial<CanaryState>): CanaryState => ({ ...before, lastAppliedSpec: 'spec-new', ...patch });

describe('toCanaryState', () => {
  it('reads phase, weights, hashes, target and the Promoted condition', () => {
    const state = toCanaryState({
      spec: { targetRef: { kind: 'Deployment', name: 'backend' }, analysis: { maxWeight: 50, stepWeight: 10, threshold: 5 } },
      status: { phase: 'Progressing', canaryWeight: 20, iterations: 0, failedChecks: 1, lastAppliedSpec: 'h2', lastPromotedSpec: 'h1', conditions: [{ type: 'Promoted', message: 'New revision detected, progressing canary analysis.' }] },
    });
    expect(state).toEqual({ phase: 'Progressing', canaryWeight: 20, iterations: 0, failedChecks: 1, lastAppliedSpec: 'h2', lastPromotedSpec: 'h1', message: 'New revision detected, progressing canary analysis.', target: { kind: 'Deployment', name: 'backend' }, maxWeight: 50, stepWeight: 10, threshold: 5 });
  });

  it('reads a canary Flagger has not reconciled, and the older canaryAnalysis field', () => {
    expect(toCanaryState({ spec: { targetRef: { name: 'web' }, canaryAnalysis: { maxWeight: 30 } } })).toMatchObject({ phase: '', lastAppliedSpec: null, target: { kind: 'Deployment', name: 'web' }, maxWeight: 30, stepWeight: null });
  });
});

describe('judgeCanary', () => {
  it('waits while Flagger has not picked up the new revision, whatever the phase says', () => {
    expect(judgeCanary(before, BASE)).toEqual({ done: false });
    expect(canaryStage(before, BASE)).toEqual({ stage: 'detecting' });
  });
  it('waits through the analysis, and says how far it is', () => {
    expect(judgeCanary(at({ phase: 'Progressing', canaryWeight: 20 }), BASE)).toEqual({ done: false });
    expect(canaryStage(at({ phase: 'Progressing', canaryWeight: 20, failedChecks: 2 }), BASE)).toEqual({ stage: 'progressing', weight: 20, maxWeight: 50, failedChecks: 2, threshold: 5, iterations: 0 });
    expect(canaryStage(at({ phase: 'WaitingPromotion' }), BASE)).toEqual({ stage: 'waiting-promotion' });
    expect(judgeCanary(at({ phase: 'Promoting' }), BASE)).toEqual({ done: false });
  });
  it('succeeds once the new revision is promoted', () => {
    expect(judgeCanary(at({ phase: 'Succeeded', lastPromotedSpec: 'spec-new' }), BASE)).toEqual({ done: true, passed: true, initialised: false });
  });
  it('counts a first revision promoted at initialisation as done', () => {
    expect(judgeCanary(at({ phase: 'Initialized' }), '')).toEqual({ done: true, passed: true, initialised: true });
  });
  it('fails with the checks and Flagger\'s message, kept raw for the edge to escape', () => {
    const verdict = judgeCanary(at({ phase: 'Failed', failedChecks: 5, message: 'Canary analysis failed, Deployment scaled to zero. <!channel>' }), BASE);
    expect(verdict).toEqual({ done: true, passed: false, deleted: false, failedChecks: 5, message: 'Canary analysis failed, Deployment scaled to zero. <!channel>' });
  });
  it('does not take the previous analysis\'s failure for ours', () => {
    expect(judgeCanary({ ...before, phase: 'Failed' }, BASE)).toEqual({ done: false });
  });
});
