// Pure canary rules: step plans, the weight bar, metric verdicts, unsupported targets, Flagger's queries and /canary-status parsing.
import { describe, expect, it } from 'vitest';
import { canaryConfigWarnings, canaryPlan, metricVerdict, planMaxWeight, planSteps, weightBar } from '../../src/domain/canary.js';
import { parseCanaryStatusCommand } from '../../src/domain/canaryCommand.js';
import { CanaryRefusal } from '../../src/domain/canaryProblems.js';
import { builtinQuery, renderQuery } from '../../src/domain/canaryQueries.js';
import { loadConfigText } from '../support/canary-config.js';

describe('canary plan', () => {
  it('reads stepWeight/maxWeight, a stepWeights list, and blue/green iterations', () => {
    const step = canaryPlan({ stepWeight: 10, maxWeight: 50 });
    expect(planSteps(step)).toEqual([10, 20, 30, 40, 50]);
    expect(planSteps(canaryPlan({ stepWeight: 20, maxWeight: 50 }))).toEqual([20, 40, 50]);
    const list = canaryPlan({ stepWeight: null, maxWeight: null, stepWeights: [5, 15, 50, 100] });
    expect(list).toEqual({ kind: 'weights', weights: [5, 15, 50, 100] });
    expect(planMaxWeight(list)).toBe(100);
    expect(canaryPlan({ stepWeight: null, maxWeight: null, analysisIterations: 10 })).toEqual({ kind: 'iterations', iterations: 10 });
    expect(planMaxWeight({ kind: 'iterations', iterations: 10 })).toBeNull();
    expect(canaryPlan({ stepWeight: null, maxWeight: null })).toEqual({ kind: 'unknown' });
  });

  it('draws the weight against the maximum', () => {
    expect(weightBar(0, 50)).toBe('░░░░░░░░░░');
    expect(weightBar(25, 50)).toBe('█████░░░░░');
    expect(weightBar(50, 50)).toBe('██████████');
    expect(weightBar(80, 50)).toBe('██████████');
  });

  it('judges a metric value against its threshold range', () => {
    expect(metricVerdict(99.5, { min: 99, max: null })).toBe('pass');
    expect(metricVerdict(98.9, { min: 99, max: null })).toBe('fail');
    expect(metricVerdict(501, { min: null, max: 500 })).toBe('fail');
    expect(metricVerdict(500, { min: null, max: 500 })).toBe('pass');
    expect(metricVerdict(null, { min: 99, max: null })).toBe('unknown');
    expect(metricVerdict(Number.NaN, { min: 99, max: null })).toBe('unknown');
  });
});

describe('config warning for canary targets', () => {
  it('warns when the canary would target a StatefulSet, and not for a Deployment', () => {
    const config = loadConfigText('StatefulSet');
    expect(canaryConfigWarnings(config)).toEqual([
      { path: ['environments', 2, 'canary', 'name'], message: expect.stringContaining('would target StatefulSet backend (apps: backend), but Flagger analyses only Deployments and DaemonSets') },
    ]);
    expect(canaryConfigWarnings(loadConfigText('Deployment'))).toEqual([]);
  });
});

describe("Flagger's queries", () => {
  const model = { name: 'backend', namespace: 'production', target: 'backend', service: 'backend', ingress: '', interval: '1m' };
  it("renders the built-in Istio queries as Flagger does, and none for providers it does not know", () => {
    expect(builtinQuery(null, 'request-duration', model)).toBe(
      'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination", destination_workload_namespace="production", destination_workload=~"backend"}[1m])) by (le))',
    );
    expect(builtinQuery('istio', 'request-success-rate', model)).toContain('response_code!~"5.*"}[1m])) / sum(rate(istio_requests_total');
    expect(builtinQuery('linkerd', 'request-success-rate', model)).toBeNull();
    expect(builtinQuery(null, 'my-metric', model)).toBeNull();
  });
  it('renders MetricTemplate placeholders and leaves unknown ones', () => {
    expect(renderQuery('sum(x{ns="{{ namespace }}", t="{{target}}", v="{{ variables.region }}"}[{{ interval }}]) {{ nope }}', { ...model, variables: { region: 'eu' } })).toBe(
      'sum(x{ns="production", t="backend", v="eu"}[1m]) {{ nope }}',
    );
  });
});

describe('/canary-status parsing', () => {
  const config = loadConfigText('Deployment');
  const refusal = (text: string) => {
    try {
      parseCanaryStatusCommand(config, text);
    } catch (err) {
      return (err as CanaryRefusal).problem;
    }
    return null;
  };
  it('takes nothing, an environment (or alias), an app, or both', () => {
    expect(parseCanaryStatusCommand(config, '').envs.map((e) => e.name)).toEqual(['production']);
    expect(parseCanaryStatusCommand(config, 'prod').envs.map((e) => e.name)).toEqual(['production']);
    expect(parseCanaryStatusCommand(config, 'backend').app?.name).toBe('backend');
    expect(parseCanaryStatusCommand(config, 'production backend').envs.map((e) => e.name)).toEqual(['production']);
    expect(parseCanaryStatusCommand(config, 'help').kind).toBe('help');
  });
  it('refuses what it cannot show, saying why', () => {
    expect(refusal('staging')).toEqual({ code: 'no-canaries', env: 'staging', withCanary: ['production'] });
    expect(refusal('qa')).toMatchObject({ code: 'unknown-environment', given: 'qa' });
    expect(refusal('prod nope')).toMatchObject({ code: 'unknown-apps', given: ['nope'] });
    expect(refusal('prod frontend')).toEqual({ code: 'canary-not-for-app', app: 'frontend', env: 'prod' });
    expect(refusal('a b c')).toEqual({ code: 'canary-usage', got: 'a b c' });
  });
});
