// Application repositories for the --gitops sandbox: each app's source repo gets a tagged, green commit per version
// its overlays name, plus one newer version to deploy, since the user's real app repositories stay untouched.
import { parse } from 'yaml';
import semver from 'semver';
import type { Config } from '../config/schema.js';
import type { GitHubFake } from './github/server.js';

/** Image tags per app found in the environments' overlays (kustomization.yaml `images[].newTag`). */
export function versionsInOverlays(config: Config, files: Record<string, string>): Map<string, string[]> {
  const found = new Map<string, string[]>(config.apps.map((a) => [a.name, []]));
  for (const env of config.environments) {
    const dir = env.overlay.replace(/\/+$/, '');
    const text = files[`${dir}/kustomization.yaml`] ?? files[`${dir}/kustomization.yml`] ?? files[`${dir}/Kustomization`];
    if (!text) continue;
    const images = (parse(text) as { images?: Array<{ name?: string; newTag?: unknown }> } | null)?.images ?? [];
    for (const app of config.apps) {
      const tag = images.find((i) => i.name === app.image)?.newTag;
      if (tag !== undefined && tag !== null) found.get(app.name)!.push(String(tag).slice(app.tagPrefix.length));
    }
  }
  return found;
}

/** The versions in release order, and one after the newest (semver: next patch; otherwise "<newest>-next"). */
export function releaseLine(versions: string[]): string[] {
  const distinct = [...new Set(versions)];
  const valid = distinct.filter((v) => semver.valid(v.replace(/^v/, '')));
  const ordered = [...distinct.filter((v) => !valid.includes(v)), ...valid.sort((a, b) => semver.compare(a.replace(/^v/, ''), b.replace(/^v/, '')))];
  const newest = valid.at(-1);
  const next = newest ? `${newest.startsWith('v') ? 'v' : ''}${semver.inc(newest.replace(/^v/, ''), 'patch')}` : `${ordered.at(-1) ?? 'sandbox'}-next`;
  return [...ordered, next];
}

/** Creates each source repository once (apps of a monorepo share one) and returns what to tell the user. */
export async function seedSources(github: GitHubFake, config: Config, versions: Map<string, string[]>): Promise<string[]> {
  const checks = [...new Set(config.environments.flatMap((e) => e.gates.requiredChecks))];
  const notes: string[] = [];
  const bySource = new Map<string, Config['apps']>();
  for (const app of config.apps) bySource.set(app.source, [...(bySource.get(app.source) ?? []), app]);
  for (const [source, apps] of bySource) {
    const line = releaseLine(apps.flatMap((a) => versions.get(a.name) ?? []));
    const commitsMode = apps.some((a) => a.versions === 'commits');
    await github.createRepo(source, { 'README.md': `# ${source}\n\nSandbox stand-in for the application repository.\n` });
    const shas: string[] = [];
    for (const version of line) {
      const sha = await github.commit(source, { 'VERSION': `${version}\n` }, { message: `Release ${version}`, author: 'sandbox' });
      if (!commitsMode) await github.tag(source, version, sha);
      for (const check of checks) github.setCheckRun(source, sha, check, 'success');
      shas.push(sha);
    }
    const names = apps.map((a) => a.name).join(', ');
    notes.push(commitsMode
      ? `${source} (${names}): image tags are commit SHAs; the newest stand-in commit is ${shas.at(-1)!.slice(0, 12)} (your overlays' SHAs do not exist here).`
      : `${source} (${names}): tags ${line.join(', ')}; try deploying ${line.at(-1)}.`);
  }
  return notes;
}
