// Reads an environment's kustomization file from the GitOps repo and the image tags it sets.
import type { EnvironmentConfig } from '../domain/config.js';
import { UserError } from '../domain/problems.js';
import { readImageTags } from '../domain/overlay.js';
import type { GitOpsRepo, RepoFile } from '../ports.js';

const FILE_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

export interface Overlay {
  file: RepoFile;
  tags: Record<string, string | null>;
}

/** The overlay's kustomization file (the first of kustomize's accepted names that exists). */
export async function readOverlay(gitops: GitOpsRepo, env: EnvironmentConfig, repoName: string): Promise<Overlay> {
  const folder = env.overlay.replace(/\/+$/, '');
  for (const name of FILE_NAMES) {
    const file = await gitops.readFile(`${folder}/${name}`);
    if (file) return { file, tags: readImageTags(file.content, { file: file.path }) };
  }
  throw new UserError({ code: 'no-overlay', env: env.name, repo: repoName, folder });
}
