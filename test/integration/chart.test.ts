// The Helm chart, rendered by the in-test renderer (test/support/chart-render.ts; no helm binary here): RBAC equals the Kubernetes calls
// the adapters make (recorded against the Kubernetes fake), a NetworkPolicy admits only the HTTP port from named sources,
// SQLite means exactly one replica and Recreate, and a mounted kubeconfig is added to the in-cluster config.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeCluster } from '../../src/adapters/kube/cluster.js';
import { DeferredCluster } from '../../src/adapters/kube/deferred.js';
import { loadKubeConfig } from '../../src/adapters/kube/kubeconfig.js';
import { startKubeFake, type KubeFake } from '../../src/sandbox/kube/server.js';
import { ChartFailure, renderChart } from '../support/chart-render.js';

const CHART = 'helm/flightdeck';
/** The chart refuses to render without tokens (chart-install.test.ts); these tests are about other things. */
const TOKENS = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing', GITHUB_TOKEN: 'ghp_1' };
const render = (values: Record<string, unknown> = {}) => renderChart(CHART, { secrets: TOKENS, ...values });

/** Every Kubernetes call the adapters make, as RBAC sees it: `group/resource` -> verbs. The chart grants exactly these. */
const CALLS: Record<string, string[]> = {
  'argoproj.io/applications': ['get', 'patch', 'watch'],
  'flagger.app/canaries': ['get', 'watch'],
  'flagger.app/metrictemplates': ['get'],
};

/** The RBAC verb of a recorded request (k8s.io/apiserver requestinfo: a collection GET with watch=true is `watch`). */
function verbOf(call: { method: string; path: string; query?: string }): { resource: string; verb: string } | null {
  const m = /^\/apis\/([^/]+)\/[^/]+\/namespaces\/[^/]+\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(call.path);
  if (!m) return null;
  const named = Boolean(m[3]);
  const watch = /(^|&)watch=(true|1)(&|$)/.test(call.query ?? '');
  const verb = { GET: named ? 'get' : watch ? 'watch' : 'list', PATCH: 'patch', PUT: 'update', POST: 'create', DELETE: 'delete' }[call.method] ?? call.method;
  return { resource: `${m[1]}/${m[2]}${m[4] ? `/${m[4]}` : ''}`, verb };
}

describe('the calls table is what the Kubernetes adapters call', () => {
  let fake: KubeFake;
  let dir: string;
  beforeAll(async () => {
    fake = await startKubeFake();
    dir = mkdtempSync(join(tmpdir(), 'chart-calls-'));
    writeFileSync(join(dir, 'kubeconfig'), fake.kubeconfig());
    fake.argo.seedApplication({ name: 'shop-prod', path: 'k8s/overlays/production', revision: 'r1' });
    fake.flagger.seedCanary({ name: 'backend', namespace: 'production', target: { kind: 'Deployment', name: 'backend' } });
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exercises every method of the Cluster port and records exactly the table', async () => {
    const cluster = new KubeCluster(loadKubeConfig(join(dir, 'kubeconfig'), {}), { watchBackoff: { initialMs: 10, maxMs: 50 } }) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const app = { name: 'shop-prod', namespace: 'argocd' };
    const canary = { name: 'backend', namespace: 'production' };
    const stopAtOnce = () => new AbortController().signal;
    const exercises: Record<string, () => Promise<unknown>> = {
      getApplication: () => cluster.getApplication!(app),
      requestSync: () => cluster.requestSync!(app, { revision: 'r2', username: 'U0DEV', info: [] }),
      watchApplication: () => cluster.watchApplication!(app, () => true, stopAtOnce()),
      getCanary: () => cluster.getCanary!(canary),
      watchCanary: () => cluster.watchCanary!(canary, () => true, stopAtOnce()),
      lookupCanary: () => cluster.lookupCanary!(canary),
      getMetricTemplate: () => cluster.getMetricTemplate!({ name: 'latency', namespace: 'production' }),
    };
    const port = Object.getOwnPropertyNames(DeferredCluster.prototype).filter((n) => n !== 'constructor');
    expect(port.filter((n) => !exercises[n]), 'Cluster methods without an exercise here (add one, then the table and the chart)').toEqual([]);
    for (const name of port) await exercises[name]!().catch(() => undefined);
    // the watches stop at their first state; a watch starts streaming only when that is not enough, so follow once more
    const watched = new AbortController();
    const follow = cluster.watchApplication!(app, () => false, watched.signal);
    await expect.poll(() => fake.watchCount(), { timeout: 5_000 }).toBeGreaterThan(0);
    watched.abort();
    await follow;

    const recorded: Record<string, Set<string>> = {};
    for (const call of fake.calls) {
      const v = verbOf(call);
      if (v) (recorded[v.resource] ??= new Set()).add(v.verb);
    }
    expect(Object.fromEntries(Object.entries(recorded).map(([r, verbs]) => [r, [...verbs].sort()]))).toEqual({
      'argoproj.io/applications': CALLS['argoproj.io/applications'],
      'flagger.app/canaries': ['get'],
      'flagger.app/metrictemplates': ['get'],
    });
    expect(CALLS['flagger.app/canaries']).toContain('watch'); // watchCanary streams like watchApplication (same code path)
  });
});

/** All rules of the rendered Roles and ClusterRoles, per namespace (cluster-wide: '*'). */
function grants(rendered: Record<string, any[]>): Record<string, Record<string, { verbs: string[]; names: string[] | null }>> {
  const out: Record<string, Record<string, { verbs: string[]; names: string[] | null }>> = {};
  for (const doc of Object.values(rendered).flat()) {
    if (doc.kind !== 'Role' && doc.kind !== 'ClusterRole') continue;
    const ns = doc.kind === 'Role' ? doc.metadata.namespace : '*';
    for (const rule of doc.rules ?? []) {
      for (const group of rule.apiGroups) {
        for (const resource of rule.resources) {
          (out[ns] ??= {})[`${group}/${resource}`] = { verbs: [...rule.verbs].sort(), names: rule.resourceNames ? [...rule.resourceNames].sort() : null };
        }
      }
    }
  }
  return out;
}

const SHOP = {
  environments: [
    { name: 'dev', namespace: 'dev', overlay: 'k8s/overlays/dev', argocd: { application: 'shop-dev', namespace: 'argocd', sync: 'auto' } },
    { name: 'staging', namespace: 'staging', overlay: 'k8s/overlays/staging', argocd: { application: 'shop-staging', sync: 'manual' }, canary: { name: 'frontend' } },
    { name: 'production', namespace: 'production', overlay: 'k8s/overlays/production', argocd: { application: 'shop-prod', namespace: 'argocd-prod' }, canary: { name: 'backend' } },
    { name: 'eu', namespace: 'production', overlay: 'k8s/overlays/eu', argocd: { application: 'shop-eu', context: 'prod-eu' }, canary: { name: 'backend-eu' }, cluster: { context: 'prod-eu' } },
  ],
};

describe('chart RBAC', () => {
  it('grants exactly the calls table, limited to the configured applications and canaries of this cluster', () => {
    const rendered = render({ config: SHOP });
    expect(grants(rendered)).toEqual({
      argocd: { 'argoproj.io/applications': { verbs: CALLS['argoproj.io/applications'], names: ['shop-dev', 'shop-staging'] } },
      'argocd-prod': { 'argoproj.io/applications': { verbs: CALLS['argoproj.io/applications'], names: ['shop-prod'] } },
      staging: { 'flagger.app/canaries': { verbs: CALLS['flagger.app/canaries'], names: ['frontend'] }, 'flagger.app/metrictemplates': { verbs: CALLS['flagger.app/metrictemplates'], names: null } },
      production: { 'flagger.app/canaries': { verbs: CALLS['flagger.app/canaries'], names: ['backend'] }, 'flagger.app/metrictemplates': { verbs: CALLS['flagger.app/metrictemplates'], names: null } },
    });
    const bindings = Object.values(rendered).flat().filter((d) => d.kind === 'RoleBinding');
    expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual(['argocd', 'argocd-prod', 'production', 'staging']);
    expect(bindings.every((b) => b.subjects[0].name === 'fd-flightdeck' && b.subjects[0].namespace === 'ops')).toBe(true);
  });

  it('names Roles and ClusterRoles after the release and its namespace, so two releases never share one', () => {
    for (const clusterWide of [false, true]) {
      const names = (ns: string) =>
        Object.values(renderChart(CHART, { secrets: TOKENS, config: SHOP, rbac: { clusterWide } }, { Name: 'fd', Namespace: ns }))
          .flat()
          .filter((d) => /Role/.test(d.kind))
          .map((d) => [d.kind, d.metadata.name, d.roleRef?.name]);
      expect(names('ops').length).toBeGreaterThan(0);
      expect(names('ops').every(([, name, ref]) => name === 'fd-flightdeck-ops' && (ref === undefined || ref === 'fd-flightdeck-ops'))).toBe(true);
      expect(names('ops-eu').every(([, name]) => name === 'fd-flightdeck-ops-eu')).toBe(true);
    }
  });

  it('with an existing ConfigMap (names unknown) grants the same verbs without resourceNames', () => {
    const rendered = render({ existingConfigMap: 'mine', rbac: { appNamespaces: ['production'], metricTemplateNamespaces: ['flagger-system'] } });
    expect(grants(rendered)).toEqual({
      argocd: { 'argoproj.io/applications': { verbs: CALLS['argoproj.io/applications'], names: null } },
      production: { 'flagger.app/canaries': { verbs: CALLS['flagger.app/canaries'], names: null }, 'flagger.app/metrictemplates': { verbs: ['get'], names: null } },
      'flagger-system': { 'flagger.app/metrictemplates': { verbs: ['get'], names: null } },
    });
  });

  it('cluster-wide: one ClusterRole with the same verbs and the names united', () => {
    const rendered = render({ config: SHOP, rbac: { clusterWide: true } });
    expect(grants(rendered)).toEqual({
      '*': {
        'argoproj.io/applications': { verbs: CALLS['argoproj.io/applications'], names: ['shop-dev', 'shop-prod', 'shop-staging'] },
        'flagger.app/canaries': { verbs: CALLS['flagger.app/canaries'], names: ['backend', 'frontend'] },
        'flagger.app/metrictemplates': { verbs: ['get'], names: null },
      },
    });
    expect(Object.values(rendered).flat().filter((d) => d.kind === 'ClusterRoleBinding')).toHaveLength(1);
  });
});

describe('chart NetworkPolicy', () => {
  it('admits ingress only to the HTTP port, only from the named sources, and selects the Flightdeck pod', () => {
    const rendered = render();
    const [policy] = rendered['networkpolicy.yaml']!;
    const deployment = rendered['deployment.yaml']![0];
    expect(policy.spec.podSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress.length).toBeGreaterThan(0);
    for (const rule of policy.spec.ingress) {
      expect(rule.from.length, 'a rule without sources would admit everyone').toBeGreaterThan(0);
      expect(rule.ports).toEqual([{ port: 'http', protocol: 'TCP' }]);
    }
    expect(deployment.spec.template.spec.containers[0].ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
  });

  it('admits nothing when no sources are listed, and can be switched off', () => {
    const none = render({ networkPolicy: { slackFrom: [], flaggerFrom: [], metricsFrom: [], probesFrom: [] } });
    expect(none['networkpolicy.yaml']![0].spec.ingress ?? []).toEqual([]);
    expect(render({ networkPolicy: { enabled: false } })['networkpolicy.yaml']).toEqual([]);
  });

  it('exposes only /slack/events through the Ingress', () => {
    const [ingress] = render({ ingress: { enabled: true } })['ingress.yaml']!;
    expect(ingress.spec.rules[0].http.paths.map((p: any) => `${p.pathType} ${p.path}`)).toEqual(['Exact /slack/events']);
  });
});

describe('chart with SQLite', () => {
  it('runs exactly one replica with Recreate, also without a ReadWriteOnce volume', () => {
    for (const persistence of [{ enabled: true, accessModes: ['ReadWriteOnce'] }, { enabled: true, accessModes: ['ReadWriteOncePod'] }, { enabled: false }]) {
      const [deployment] = render({ persistence })['deployment.yaml']!;
      expect(deployment.spec.replicas).toBe(1);
      expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    }
  });

  it('refuses to render more than one replica, saying why', () => {
    expect(() => render({ replicaCount: 2 })).toThrow(ChartFailure);
    expect(() => render({ replicaCount: 2 })).toThrow(/SQLite .* allows exactly one replica.*PostgreSQL/);
  });

  it('allows several replicas and rolling updates with PostgreSQL', () => {
    const [deployment] = render({ replicaCount: 3, databaseUrlFromSecret: true, secrets: { ...TOKENS, DATABASE_URL: 'postgres://fd:pw@db/fd' }, persistence: { enabled: false } })['deployment.yaml']!;
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toBeUndefined();
  });
});

describe('chart kubeconfigSecret', () => {
  it('mounts the kubeconfig as KUBECONFIG and keeps the service account token for the in-cluster context', () => {
    const rendered = render({ kubeconfigSecret: 'remote-clusters' });
    const pod = rendered['deployment.yaml']![0].spec.template.spec;
    expect(pod.containers[0].env).toContainEqual({ name: 'KUBECONFIG', value: '/kube/config' });
    expect(pod.volumes).toContainEqual({ name: 'kubeconfig', secret: { secretName: 'remote-clusters' } });
    expect(rendered['serviceaccount.yaml']![0].automountServiceAccountToken).toBe(true);
  });
});
