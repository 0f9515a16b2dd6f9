// The Helm chart with several replicas: PostgreSQL's URL from an existing Secret, rolling updates, no SQLite volume, a PDB,
// and pods spread over nodes; SQLite still renders exactly one.
import { describe, expect, it } from 'vitest';
import { ChartFailure, renderChart } from '../support/chart-render.js';

const TOKENS = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing', GITHUB_TOKEN: 'ghp_1' };
const render = (values: Record<string, unknown> = {}) => renderChart('helm/flightdeck', { secrets: TOKENS, ...values });
const POSTGRES = { replicaCount: 2, postgres: { existingSecret: 'flightdeck-db', secretKey: 'uri' } };

describe('chart with PostgreSQL from an existing Secret', () => {
  it('runs two replicas with rolling updates, DATABASE_URL from that Secret, and no SQLite volume', () => {
    const rendered = render(POSTGRES);
    const [deployment] = rendered['deployment.yaml']!;
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy).toBeUndefined();
    const env = deployment.spec.template.spec.containers[0].env;
    expect(env.filter((e: any) => e.name === 'DATABASE_URL')).toEqual([{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'flightdeck-db', key: 'uri' } } }]);
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'data', emptyDir: {} });
    expect(rendered['pvc.yaml'] ?? []).toEqual([]);
  });

  it('keeps one pod serving through a node drain (PDB) and prefers the replicas on different nodes', () => {
    const rendered = render(POSTGRES);
    const [pdb] = rendered['pdb.yaml']!;
    expect(pdb.spec.maxUnavailable).toBe(1);
    const [deployment] = rendered['deployment.yaml']!;
    const selector = deployment.spec.selector.matchLabels;
    expect(pdb.spec.selector.matchLabels).toEqual(selector);
    expect(deployment.spec.template.spec.affinity).toEqual({
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selector } } }] },
    });
  });

  it('requires different nodes when asked, leaves a given affinity alone, and adds none for one replica', () => {
    const hard = render({ ...POSTGRES, podAntiAffinity: 'hard' })['deployment.yaml']![0].spec.template.spec.affinity;
    expect(hard.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe('kubernetes.io/hostname');
    const own = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['ops'] }] }] } } };
    expect(render({ ...POSTGRES, affinity: own })['deployment.yaml']![0].spec.template.spec.affinity).toEqual(own);
    expect(render({ ...POSTGRES, podAntiAffinity: 'none' })['deployment.yaml']![0].spec.template.spec.affinity).toBeUndefined();
    expect(render({ postgres: POSTGRES.postgres })['deployment.yaml']![0].spec.template.spec.affinity).toBeUndefined();
  });

  it('still refuses two replicas on SQLite, naming the PostgreSQL settings', () => {
    expect(() => render({ replicaCount: 2 })).toThrow(ChartFailure);
    expect(() => render({ replicaCount: 2 })).toThrow(/SQLite .* allows exactly one replica.*postgres\.existingSecret/);
  });
});
