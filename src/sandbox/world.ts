// A whole sandbox world: GitHub, Kubernetes (with Argo CD) and Slack fakes seeded with the shop pipeline of the example config.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGitHubFake, type GitHubFake } from './github/server.js';
import { startKubeFake, type KubeFake } from './kube/server.js';
import { startSlackFake, type SlackFake } from './slack/server.js';

export const BOT_TOKEN = 'xoxb-sandbox-bot-token';
export const SIGNING_SECRET = 'sandbox-signing-secret';
export const GITHUB_TOKEN = 'sandbox-github-token';

/** kustomization.yaml of one overlay, with the comments and layout people write. */
export function kustomization(env: string, backend: string, frontend: string): string {
  return `# ${env} overlay: image tags are written by CI and Flightdeck
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${env}

resources:
  - ../../base   # shared manifests

images:
  # the API
  - name: ghcr.io/acme/backend
    newTag: ${backend}   # bumped per release
  - name: ghcr.io/acme/frontend
    newName: ghcr.io/acme/frontend-${env}
    newTag: "${frontend}"
`;
}

export const EXAMPLE_CONFIG = `gitops:
  repo: acme/gitops
  branch: main
  mode: commit
apps:
  - name: backend
    image: ghcr.io/acme/backend
    source: acme/backend
    workload: { kind: Deployment, name: backend }
  - name: frontend
    image: ghcr.io/acme/frontend
    source: acme/frontend
environments:
  - name: dev
    overlay: k8s/overlays/dev
    namespace: dev
    argocd: { application: shop-dev, namespace: argocd, sync: auto }
    deployers: { groups: [S0DEVS] }
  - name: staging
    overlay: k8s/overlays/staging
    namespace: staging
    promoteFrom: dev
    argocd: { application: shop-staging, sync: manual }
    approval: { required: 1, approvers: { users: [U0LEAD] }, ttl: 1h }
    rollback: { required: 0 }
    gates: { requiredChecks: [test, trivy] }
  - name: production
    aliases: [prod]
    overlay: k8s/overlays/production
    namespace: production
    promoteFrom: staging
    argocd: { application: shop-prod, sync: manual }
    approval: { required: 2, approvers: { groups: [S0EXEC] }, ttl: 1h }
    rollback: { required: 1, approvers: { groups: [S0ONCALL, S0EXEC] } }
    gates: { requiredChecks: [test, trivy] }
    canary: { name: backend }
    versionPattern: semver
channels: { deploys: C0DEPLOYS, incidents: C0INCIDENTS }
scheduler: { tick: "* * * * * *" }
`;

/** The environment Flightdeck runs with against a world's fakes (SQLite in the world's folder). */
export function worldEnv(w: { configPath: string; slackApiUrl: string; githubUrl: string; kubeconfigPath: string; dir: string }): Record<string, string> {
  return {
    FLIGHTDECK_CONFIG: w.configPath,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: w.slackApiUrl,
    GITHUB_TOKEN,
    GITHUB_API_URL: w.githubUrl,
    KUBECONFIG: w.kubeconfigPath,
    DATABASE_URL: `sqlite:${join(w.dir, 'flightdeck.db')}`,
    LOG_LEVEL: 'warn',
  };
}

export interface World {
  github: GitHubFake;
  kube: KubeFake;
  slack: SlackFake;
  dir: string;
  kubeconfigPath: string;
  configPath: string;
  /** environment variables that point Flightdeck at this world */
  env: Record<string, string>;
  /** stops the fakes and removes `dir` (close Flightdeck first: its SQLite file lives there) */
  close(): Promise<void>;
}

/** Starts the fakes and seeds them: versions v2.9.0 and v3.0.0 of both apps, dev on v3.0.0, staging and production on v2.9.0. */
export interface WorldOptions {
  latency?: { github?: number; kube?: number; slack?: number };
  config?: string;
  autoSyncDev?: boolean;
  /** serve the Kubernetes API over HTTPS with this key and certificate (kubectl sends tokens over HTTPS only) */
  tls?: { key: string; cert: string };
  /** how long each step of the Argo CD and Flagger simulators takes (default 20 ms; the sandbox page uses seconds) */
  stepMs?: { argo?: number; flagger?: number };
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const dir = mkdtempSync(join(tmpdir(), 'flightdeck-world-'));
  const github = await startGitHubFake({ root: join(dir, 'repos'), token: GITHUB_TOKEN, latencyMs: opts.latency?.github ?? 0 });
  const kube = await startKubeFake({ latencyMs: opts.latency?.kube ?? 0, ...(opts.tls ? { tls: opts.tls } : {}) });
  const slack = await startSlackFake({ botToken: BOT_TOKEN, latencyMs: opts.latency?.slack ?? 0, usergroups: { S0DEVS: ['U0DEV', 'U0LEAD'], S0EXEC: ['U0EXEC1', 'U0EXEC2', 'U0EXEC3'], S0ONCALL: ['U0ONCALL'] } });

  for (const app of ['backend', 'frontend']) {
    await github.createRepo(`acme/${app}`, { 'README.md': `# ${app}\n` }, { message: 'Initial commit' });
    const v290 = await github.commit(`acme/${app}`, { 'src/version.txt': '2.9.0\n' }, { message: 'Release 2.9.0', author: 'alice' });
    await github.tag(`acme/${app}`, 'v2.9.0', v290);
    await github.commit(`acme/${app}`, { 'src/cart.ts': 'export const cart = 1;\n' }, { message: 'Add cart totals', author: 'bob' });
    const v300 = await github.commit(`acme/${app}`, { 'src/version.txt': '3.0.0\n' }, { message: 'Release 3.0.0', author: 'carol' });
    await github.tag(`acme/${app}`, 'v3.0.0', v300);
    for (const sha of [v290, v300]) {
      github.setCheckRun(`acme/${app}`, sha, 'test', 'success');
      github.setCheckRun(`acme/${app}`, sha, 'trivy', 'success');
    }
  }
  const head = await github.createRepo('acme/gitops', {
    'k8s/base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
    'k8s/overlays/dev/kustomization.yaml': kustomization('dev', 'v3.0.0', 'v3.0.0'),
    'k8s/overlays/staging/kustomization.yaml': kustomization('staging', 'v2.9.0', 'v2.9.0'),
    'k8s/overlays/production/kustomization.yaml': kustomization('production', 'v2.9.0', 'v2.9.0'),
  });
  kube.argo.seedApplication({ name: 'shop-dev', path: 'k8s/overlays/dev', automated: true, revision: head });
  kube.argo.seedApplication({ name: 'shop-staging', path: 'k8s/overlays/staging', revision: head });
  kube.argo.seedApplication({ name: 'shop-prod', path: 'k8s/overlays/production', revision: head });
  // Flagger analyses the production backend whenever shop-prod finishes syncing a new revision.
  kube.flagger.seedCanary({ name: 'backend', namespace: 'production', target: { kind: 'Deployment', name: 'backend' }, application: { name: 'shop-prod' } });
  kube.argo.start({ stepMs: opts.stepMs?.argo ?? 20 });
  kube.flagger.start({ stepMs: opts.stepMs?.flagger ?? 20 });
  // Argo CD polls git for auto-synced apps; here the world does it for shop-dev.
  let seen = head;
  const poll = setInterval(() => {
    if (opts.autoSyncDev === false) return;
    github.headSha('acme/gitops').then((sha) => {
      if (sha !== seen) {
        seen = sha;
        kube.argo.autoSync('shop-dev', sha);
      }
    }, () => undefined);
  }, 100);

  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kube.kubeconfig());
  const configPath = join(dir, 'flightdeck.yaml');
  writeFileSync(configPath, opts.config ?? EXAMPLE_CONFIG);
  const env = worldEnv({ configPath, slackApiUrl: slack.apiUrl, githubUrl: github.url, kubeconfigPath, dir });
  return {
    github,
    kube,
    slack,
    dir,
    kubeconfigPath,
    configPath,
    env,
    async close() {
      clearInterval(poll);
      kube.argo.stop();
      await Promise.all([github.close(), kube.close(), slack.close()]);
      // git repositories, kubeconfig, config and the SQLite file: nothing of the world outlives it
      await rm(dir, { recursive: true, force: true });
    },
  };
}
