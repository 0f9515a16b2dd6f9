// helm/flightdeck/values.schema.json against values.yaml: the defaults and a full example pass, typos and bad values fail.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const schema = JSON.parse(readFileSync('helm/flightdeck/values.schema.json', 'utf8')) as { properties: Record<string, unknown> };
const defaults = parse(readFileSync('helm/flightdeck/values.yaml', 'utf8')) as Record<string, any>;
// Helm checks with a draft-07 validator; allowUnionTypes admits `type: [integer, string]` (maxUnavailable: 1 or "50%").
const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);

function errorsOf(values: unknown): string[] {
  return validate(values) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/** values.yaml with `patch` merged in (objects merge, everything else replaces), as `helm install -f` does. */
function withValues(patch: Record<string, any>, base: Record<string, any> = defaults): Record<string, any> {
  const out: Record<string, any> = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    out[key] = value && typeof value === 'object' && !Array.isArray(value) && out[key] && typeof out[key] === 'object' ? withValues(value, out[key]) : value;
  }
  return out;
}

const FULL = withValues({
  replicaCount: 2,
  image: { repository: 'registry.example.com/flightdeck', tag: '0.2.0', pullPolicy: 'Always' },
  imagePullSecrets: [{ name: 'registry' }],
  serviceAccount: { create: false, name: 'flightdeck', annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/fd' } },
  podAnnotations: { 'prometheus.io/scrape': 'true' },
  ingress: { enabled: true, className: 'nginx', annotations: { 'cert-manager.io/cluster-issuer': 'le' }, host: 'flightdeck.acme.dev', tls: [{ secretName: 'flightdeck-tls', hosts: ['flightdeck.acme.dev'] }] },
  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
  logLevel: 'debug',
  databaseUrl: 'postgres://flightdeck@db:5432/flightdeck',
  databaseUrlFromSecret: true,
  extraEnv: [{ name: 'TZ', value: 'Europe/Berlin' }, { name: 'X', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }],
  secrets: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_APP_TOKEN: '', GITHUB_TOKEN: 'ghp_1', DATABASE_URL: 'postgres://u:p@db/fd', PAGER_ROUTING_KEY: 'r' },
  kubeconfigSecret: 'clusters',
  config: {
    gitops: { repo: 'acme/gitops', branch: 'main', mode: 'commit' },
    apps: [{ name: 'backend', image: 'ghcr.io/acme/backend', source: 'acme/backend', versions: 'commits', tagPrefix: 'sha-' }],
    environments: [
      { name: 'production', aliases: ['prod'], overlay: 'k8s/overlays/production', namespace: 'production', argocd: { application: 'shop-prod', sync: 'manual' }, approval: { required: 2, approvers: { groups: ['S0EXEC'] }, ttl: '1h' }, canary: { name: 'backend' } },
    ],
    channels: { deploys: 'C0DEPLOYS', incidents: 'C0INCIDENTS' },
    incidents: { severities: { sev1: { respondWithin: '15m', page: { groups: ['S0ONCALL'] } } } },
  },
  rbac: { create: true, argocdNamespace: 'argocd', appNamespaces: ['production'], metricTemplateNamespaces: ['flagger-system'], clusterWide: false },
  networkPolicy: {
    enabled: true,
    slackFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } }],
    flaggerFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'flagger' } }, podSelector: { matchLabels: { app: 'flagger' } } }],
    metricsFrom: [{ namespaceSelector: {} }],
    probesFrom: [{ ipBlock: { cidr: '10.0.0.0/16' } }],
  },
  persistence: { enabled: false, existingClaim: 'fd-data', storageClass: 'fast', accessModes: ['ReadWriteOnce'], size: '2Gi' },
  serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' }, interval: '1m', scrapeTimeout: '15s' },
  podDisruptionBudget: { enabled: true, minAvailable: 1 },
  probes: { liveness: { periodSeconds: 20 } },
  terminationGracePeriodSeconds: 60,
  nodeSelector: { 'kubernetes.io/os': 'linux' },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ops', effect: 'NoSchedule' }],
  affinity: { nodeAffinity: {} },
});

describe('values.schema.json', () => {
  it('accepts the chart defaults', () => {
    expect(errorsOf(defaults)).toEqual([]);
  });

  it('accepts a full example that sets every key', () => {
    expect(errorsOf(FULL)).toEqual([]);
  });

  it('accepts two replicas on PostgreSQL from an existing Secret', () => {
    expect(errorsOf(withValues({ replicaCount: 2, postgres: { existingSecret: 'flightdeck-db', secretKey: 'uri' }, podAntiAffinity: 'hard' }))).toEqual([]);
  });

  it('describes exactly the top-level keys of values.yaml', () => {
    expect(Object.keys(schema.properties).sort()).toEqual(Object.keys(defaults).sort());
  });

  it.each([
    ['a misspelt key', { replicas: 2 }, '"additionalProperty":"replicas"'],
    ['a misspelt nested key', { persistence: { sise: '1Gi' } }, '"additionalProperty":"sise"'],
    ['a database URL of another kind', { databaseUrl: 'mysql://db' }, '/databaseUrl'],
    ['a user token as the bot token', { secrets: { SLACK_BOT_TOKEN: 'xoxp-123' } }, '/secrets/SLACK_BOT_TOKEN'],
    ['a secret the bot does not read', { secrets: { SLACK_TOKEN: 'x' } }, 'propertyName'],
    ['an unknown log level', { logLevel: 'verbose' }, '/logLevel'],
    ['two replicas on one SQLite file', { replicaCount: 2 }, '/replicaCount'],
    ['an anti-affinity other than soft, hard or none', { replicaCount: 2, postgres: { existingSecret: 'db' }, podAntiAffinity: 'always' }, '/podAntiAffinity'],
    ['a NetworkPolicy peer of an unknown kind', { networkPolicy: { slackFrom: [{ serviceSelector: {} }] } }, '/networkPolicy/slackFrom/0'],
    ['a scrape interval without a unit', { serviceMonitor: { interval: '30' } }, '/serviceMonitor/interval'],
    ['a port out of range', { service: { port: 70000 } }, '/service/port'],
    ['a config without apps', { config: { apps: [] } }, '/config/apps'],
    ['an environment without its Argo CD application', { config: { ...defaults.config, environments: [{ name: 'dev', overlay: 'k8s/dev' }] } }, 'argocd'],
  ])('rejects %s', (_what, patch, mentioned) => {
    const errors = errorsOf(withValues(patch));
    expect(errors.join('\n')).toContain(mentioned);
  });
});
