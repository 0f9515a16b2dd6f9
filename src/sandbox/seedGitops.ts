// The sandbox's second mode: a world seeded from a local clone of the user's GitOps repository and their own
// flightdeck.yaml, so real overlays can be rehearsed against the fakes without touching GitHub, Slack or a cluster.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { parseConfig } from '../config/loader.js';
import type { Config } from '../config/schema.js';
import { startGitHubFake } from './github/server.js';
import { startKubeFake } from './kube/server.js';
import { seedSources, versionsInOverlays } from './seedSources.js';
import { startSlackFake } from './slack/server.js';
import { BOT_TOKEN, GITHUB_TOKEN, worldEnv, type World, type WorldOptions } from './world.js';

const MAX_FILE_BYTES = 1_000_000;

/** The config as the sandbox runs it: the same file without the keys that would reach real services (Prometheus, a pager). */
export function sandboxConfig(text: string): { text: string; dropped: string[] } {
  const doc = parseDocument(text);
  const dropped: string[] = [];
  for (const path of [['prometheus'], ['incidents', 'pager']]) {
    if (doc.hasIn(path)) {
      doc.deleteIn(path);
      dropped.push(path.join('.'));
    }
  }
  return { text: doc.toString(), dropped };
}

/** Tracked text files of the clone's working tree (uncommitted edits included, so they can be rehearsed too). */
export function gitopsFiles(dir: string): Record<string, string> {
  const listed = execFileSync('git', ['-C', dir, 'ls-files', '-z'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).split('\0').filter(Boolean);
  const files: Record<string, string> = {};
  for (const path of listed) {
    const full = join(dir, path);
    try {
      if (!statSync(full).isFile() || statSync(full).size > MAX_FILE_BYTES) continue;
    } catch {
      continue; // deleted in the working tree
    }
    const text = readFileSync(full, 'utf8');
    if (!text.includes('\0')) files[path] = text;
  }
  return files;
}

/** Stand-in members of each user group the config names: S0EXEC -> U0EXEC1, U0EXEC2. */
export function groupMembers(config: Config): Record<string, string[]> {
  const groups = new Set<string>();
  const add = (a: { groups: string[] } | undefined) => a?.groups.forEach((g) => groups.add(g));
  for (const env of config.environments) [env.deployers, env.approval.approvers, env.rollback?.approvers].forEach(add);
  for (const sev of Object.values(config.incidents.severities ?? {})) [sev?.page, ...(sev?.escalate ?? [])].forEach(add);
  return Object.fromEntries([...groups].map((g) => [g, [1, 2, 3].map((n) => `U${g.slice(1)}${n}`)]));
}

function requesterOf(config: Config, groups: Record<string, string[]>): string {
  const deployers = config.environments.find((e) => e.deployers)?.deployers;
  return deployers?.users[0] ?? groups[deployers?.groups[0] ?? '']?.[0] ?? 'U0DEV';
}

/** A kubeconfig whose every context the config names (cluster.context, argocd.context) points at the one fake cluster. */
function withContexts(kubeconfig: string, config: Config): string {
  const names = new Set(config.environments.flatMap((e) => [e.cluster?.context, e.argocd.context]).filter((c): c is string => Boolean(c)));
  const extra = [...names].map((n) => `  - name: ${JSON.stringify(n)}\n    context:\n      cluster: fake\n      user: fake\n      namespace: default\n`).join('');
  return kubeconfig.replace('contexts:\n', `contexts:\n${extra}`);
}

export function seededWorld(gitopsDir: string, configPath: string): (opts: WorldOptions) => Promise<World & { requester: string; notes: string[] }> {
  return async (opts) => {
    const { text, dropped } = sandboxConfig(readFileSync(resolve(configPath), 'utf8'));
    const { config } = parseConfig(text, configPath);
    const files = gitopsFiles(resolve(gitopsDir));
    const dir = mkdtempSync(join(tmpdir(), 'flightdeck-world-'));
    const groups = groupMembers(config);
    const github = await startGitHubFake({ root: join(dir, 'repos'), token: GITHUB_TOKEN, latencyMs: 0 });
    const kube = await startKubeFake({ ...(opts.tls ? { tls: opts.tls } : {}) });
    const slack = await startSlackFake({ botToken: BOT_TOKEN, usergroups: groups });
    const head = await github.createRepo(config.gitops.repo, files, { branch: config.gitops.branch, message: `Seeded from ${gitopsDir}` });
    const notes = await seedSources(github, config, versionsInOverlays(config, files));
    for (const env of config.environments) {
      kube.argo.seedApplication({ name: env.argocd.application, namespace: env.argocd.namespace, path: env.overlay, automated: env.argocd.sync === 'auto', revision: head, repoURL: `https://github.com/${config.gitops.repo}.git`, destinationNamespace: env.namespace ?? env.name });
      if (!env.canary) continue;
      const app = config.apps.find((a) => (a.workload?.name ?? a.name) === env.canary!.name) ?? config.apps[0]!;
      kube.flagger.seedCanary({ name: env.canary.name, namespace: env.canary.namespace ?? env.namespace ?? env.name, target: { kind: app.workload?.kind ?? 'Deployment', name: app.workload?.name ?? app.name }, application: { name: env.argocd.application, namespace: env.argocd.namespace } });
    }
    kube.argo.start({ stepMs: opts.stepMs?.argo ?? 20 });
    kube.flagger.start({ stepMs: opts.stepMs?.flagger ?? 20 });
    // Argo CD polls git for auto-synced apps; here the world does it.
    const auto = config.environments.filter((e) => e.argocd.sync === 'auto');
    let seen = head;
    const poll = setInterval(() => {
      github.headSha(config.gitops.repo, config.gitops.branch).then((sha) => {
        if (sha === seen) return;
        seen = sha;
        for (const env of auto) kube.argo.autoSync(env.argocd.application, sha, env.argocd.namespace);
      }, () => undefined);
    }, 500);

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, withContexts(kube.kubeconfig(), config));
    const sandboxConfigPath = join(dir, 'flightdeck.yaml');
    writeFileSync(sandboxConfigPath, text);
    if (dropped.length) notes.unshift(`Left out of your config so nothing real is called: ${dropped.join(', ')}.`);
    return {
      github,
      kube,
      slack,
      dir,
      kubeconfigPath,
      configPath: sandboxConfigPath,
      env: worldEnv({ configPath: sandboxConfigPath, slackApiUrl: slack.apiUrl, githubUrl: github.url, kubeconfigPath, dir }),
      requester: requesterOf(config, groups),
      notes,
      async close() {
        clearInterval(poll);
        await Promise.all([github.close(), kube.close(), slack.close()]);
      },
    };
  };
}
