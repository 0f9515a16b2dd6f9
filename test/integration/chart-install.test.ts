// What `helm install` of the chart does for the person installing it: refuses to render without the tokens (instead of a pod
// stuck at CreateContainerConfigError), prints NOTES that say what was installed and what to do next, an optional
// ServiceMonitor, and a read-only root filesystem with exactly the writable volumes the image expects.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ChartFailure, renderChart, renderNotes } from '../support/chart-render.js';

const CHART = 'helm/flightdeck';
const TOKENS = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'signing', GITHUB_TOKEN: 'ghp_1' };
const docs = (rendered: Record<string, any[]>, kind: string) => Object.values(rendered).flat().filter((d) => d.kind === kind);

describe('chart secrets', () => {
  it('refuses a default install, naming every token it needs and existingSecret', () => {
    expect(() => renderChart(CHART)).toThrow(ChartFailure);
    expect(() => renderChart(CHART)).toThrow(/secrets\.SLACK_BOT_TOKEN .*secrets\.SLACK_SIGNING_SECRET .*secrets\.SLACK_APP_TOKEN .*secrets\.GITHUB_TOKEN.*existingSecret/);
  });

  it.each([
    ['the bot token', { SLACK_BOT_TOKEN: '' }, /SLACK_BOT_TOKEN/],
    ['both the signing secret and the app token', { SLACK_SIGNING_SECRET: '' }, /SLACK_SIGNING_SECRET \(HTTP mode\) or secrets\.SLACK_APP_TOKEN/],
    ['a GitHub token or a complete GitHub App', { GITHUB_TOKEN: '', GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: 'pem' }, /GITHUB_TOKEN, or all of/],
  ])('refuses to render without %s', (_what, patch, message) => {
    expect(() => renderChart(CHART, { secrets: { ...TOKENS, ...patch } })).toThrow(message);
  });

  it('renders a Secret with the tokens given: Socket Mode without a signing secret, a GitHub App without a token', () => {
    const secrets = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1', GITHUB_APP_ID: '1', GITHUB_APP_PRIVATE_KEY: 'pem', GITHUB_APP_INSTALLATION_ID: '2' };
    const [secret] = docs(renderChart(CHART, { secrets }), 'Secret');
    expect(secret.stringData).toEqual(secrets);
  });

  it('asks for DATABASE_URL when the database URL is to come from the Secret', () => {
    expect(() => renderChart(CHART, { secrets: TOKENS, databaseUrlFromSecret: true, persistence: { enabled: false } })).toThrow(/secrets\.DATABASE_URL/);
  });

  it('renders no Secret, and reads the tokens from the named one, with existingSecret', () => {
    const rendered = renderChart(CHART, { existingSecret: 'flightdeck-tokens' });
    expect(docs(rendered, 'Secret')).toEqual([]);
    const env = rendered['deployment.yaml']![0].spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'SLACK_BOT_TOKEN').valueFrom.secretKeyRef).toEqual({ name: 'flightdeck-tokens', key: 'SLACK_BOT_TOKEN' });
  });
});

describe('chart NOTES.txt', () => {
  it('says what was installed, how to reach /readyz and what to do next', () => {
    const notes = renderNotes(CHART, { secrets: TOKENS });
    expect(notes).toContain('installed as release fd in namespace ops');
    expect(notes).toContain('Deployment fd-flightdeck: 1 replica(s) of ghcr.io/acme/flightdeck:0.1.0');
    expect(notes).toContain('kubectl -n ops rollout status deployment/fd-flightdeck');
    expect(notes).toContain('curl -i http://127.0.0.1:3000/readyz');
    expect(notes).toContain('npm run check-config -- --values');
    expect(notes).toContain('Set ingress.enabled=true');
    expect(notes).toContain('http://fd-flightdeck.ops:3000/flagger/gate/approve');
    expect(notes).toContain('http://fd-flightdeck.ops:3000/flagger/rollback/check');
    expect(notes).not.toMatch(/ServiceMonitor|Ingress fd/);
    expect(notes).not.toMatch(/\{\{|<no value>/);
  });

  it('gives the Slack request URL of the Ingress, or says that Socket Mode needs none', () => {
    const ingress = renderNotes(CHART, { secrets: TOKENS, ingress: { enabled: true, host: 'fd.acme.dev', tls: [{ secretName: 't', hosts: ['fd.acme.dev'] }] } });
    expect(ingress).toContain('https://fd.acme.dev/slack/events');
    expect(ingress).not.toContain('ingress.tls is empty');
    expect(renderNotes(CHART, { secrets: TOKENS, ingress: { enabled: true, host: 'fd.acme.dev' } })).toContain('ingress.tls is empty: Slack calls only https URLs');
    const socket = renderNotes(CHART, { secrets: { ...TOKENS, SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: 'xapp-1' } });
    expect(socket).toContain('Socket Mode (secrets.SLACK_APP_TOKEN is set)');
    expect(socket).not.toMatch(/Request URL|must reach POST/);
  });
});

describe('chart ServiceMonitor', () => {
  it('is off by default', () => {
    expect(renderChart(CHART, { secrets: TOKENS })['servicemonitor.yaml']).toEqual([]);
  });

  it('scrapes /metrics on a port the Service has, selecting the Service by its labels', () => {
    const rendered = renderChart(CHART, { secrets: TOKENS, serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } });
    const [monitor] = rendered['servicemonitor.yaml']!;
    const [service] = rendered['service.yaml']!;
    expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels[key]).toBe(value);
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['ops'] });
    expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s', scrapeTimeout: '10s' }]);
    expect(service.spec.ports.map((p: any) => p.name)).toContain('http');
  });
});

describe('chart NetworkPolicy in Socket Mode', () => {
  it('admits nothing from the ingress controller: Slack is reached outbound', () => {
    const sources = (secrets: Record<string, string>) => renderChart(CHART, { secrets })['networkpolicy.yaml']![0].spec.ingress.map((r: any) => JSON.stringify(r.from));
    const http = sources(TOKENS);
    const socket = sources({ ...TOKENS, SLACK_APP_TOKEN: 'xapp-1' });
    expect(http).toContain(JSON.stringify([{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }]));
    expect(socket).toEqual(http.slice(1));
  });
});

describe('chart and image: read-only root filesystem', () => {
  it('runs the image user with a read-only root, writable only where the image writes: /data and /tmp', () => {
    const pod = renderChart(CHART, { secrets: TOKENS })['deployment.yaml']![0].spec.template.spec;
    const container = pod.containers[0];
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const [, uid, gid] = /^USER (\d+):(\d+)$/m.exec(dockerfile)!;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: Number(uid), runAsGroup: Number(gid) });
    expect(dockerfile).toMatch(/^VOLUME \["\/data"\]$/m);
    expect(dockerfile).toMatch(/DATABASE_URL=sqlite:\/data\/flightdeck\.db/);
    const writable = container.volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.mountPath).sort();
    expect(writable).toEqual(['/data', '/tmp']);
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes.tmp.emptyDir).toBeDefined();
    expect(volumes.data.persistentVolumeClaim.claimName).toBe('fd-flightdeck-data');
    expect(container.env).toContainEqual({ name: 'DATABASE_URL', value: 'sqlite:/data/flightdeck.db' });
  });
});
