// The example world plus `worker`, an app whose images are tagged by commit (versions: commits, tagPrefix sha-), and the
// example config with GitHub Deployments on: for the property and fault suites that must cover both, not only two tag apps.
import { EXAMPLE_CONFIG, type World } from '../../src/sandbox/world.js';

export const WORKER_IMAGE = 'ghcr.io/acme/worker';
export const WORKER_SOURCE = 'acme/worker';

const WORKER_APP = `  - name: worker
    image: ${WORKER_IMAGE}
    source: ${WORKER_SOURCE}
    versions: commits
    tagPrefix: sha-
`;

/** A config (the example's shape) with `worker` added to its apps. */
export function withWorker(config: string): string {
  return config.replace('\nenvironments:', `\n${WORKER_APP}environments:`);
}

/** The example config with `worker` added to the apps. */
export const WORKER_CONFIG = withWorker(EXAMPLE_CONFIG);

/** A config with GitHub Deployments on (gitops.deployments). */
export function withDeployments(config: string): string {
  return config.replace('  mode: commit', '  mode: commit\n  deployments: true');
}

export interface WorkerCommits {
  /** the commit every overlay runs at first (its image tag is `sha-` and the first 7 hex digits) */
  old: string;
  /** a newer commit, released (checks green) but deployed nowhere unless asked */
  next: string;
}

export const shortSha = (sha: string) => sha.slice(0, 7);
export const workerTag = (sha: string) => `sha-${shortSha(sha)}`;
export const overlayPath = (env: string) => `k8s/overlays/${env}/kustomization.yaml`;

/**
 * Seeds acme/worker with two commits whose required checks (test, trivy) passed, and adds worker to every overlay at
 * `old` (dev at `next` with `devAt: 'next'`, so staging may be promoted to it), in one commit of acme/gitops.
 */
export async function seedWorker(world: World, opts: { devAt?: 'old' | 'next' } = {}): Promise<WorkerCommits> {
  const { github } = world;
  await github.createRepo(WORKER_SOURCE, { 'main.go': 'package main\n' }, { message: 'Initial commit' });
  const old = await github.commit(WORKER_SOURCE, { 'queue.go': 'package main // v1\n' }, { message: 'Queue v1', author: 'dana' });
  const next = await github.commit(WORKER_SOURCE, { 'queue.go': 'package main // v2\n' }, { message: 'Retry failed jobs', author: 'erin' });
  for (const sha of [old, next]) {
    github.setCheckRun(WORKER_SOURCE, sha, 'test', 'success');
    github.setCheckRun(WORKER_SOURCE, sha, 'trivy', 'success');
  }
  const files: Record<string, string> = {};
  for (const env of ['dev', 'staging', 'production']) {
    const at = env === 'dev' && opts.devAt === 'next' ? next : old;
    files[overlayPath(env)] = `${(await github.readFile('acme/gitops', overlayPath(env)))!}  - name: ${WORKER_IMAGE}\n    newTag: ${workerTag(at)}\n`;
  }
  await github.commit('acme/gitops', files, { message: 'Add worker to the overlays' });
  return { old, next };
}

/** The newTag of worker in an overlay as git has it now. */
export async function workerTagIn(world: World, env: string): Promise<string | null> {
  const text = await world.github.readFile('acme/gitops', overlayPath(env));
  return /name: ghcr\.io\/acme\/worker\n\s+newTag: (\S+)/.exec(text ?? '')?.[1] ?? null;
}

/** The commits of acme/gitops whose subject starts with the text, newest first. */
export async function gitopsCommits(world: World, subject: string): Promise<Array<{ sha: string; message: string }>> {
  return (await world.github.log('acme/gitops')).filter((c) => c.message.startsWith(subject));
}
