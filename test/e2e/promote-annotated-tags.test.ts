// End to end: a release tagged with `git tag -a` (a tag object, not a commit) is promoted like a lightweight one: checks read
// at the tagged commit, the changes between the versions shown, the overlay committed, the sync followed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kustomization } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { answersTo, lastRequest, requests, threadOf } from '../support/slack-view.js';

const STAGING = 'k8s/overlays/staging/kustomization.yaml';
let fd: Running;
beforeEach(async () => {
  fd = await startFlightdeck();
});
afterEach(async () => fd.close());

/** v3.1.0 of both apps as annotated tags, running in dev; checks as given on the tagged commit. */
async function releaseAnnotated(checks: 'success' | 'failure') {
  const shas: Record<string, string> = {};
  for (const app of ['backend', 'frontend']) {
    const sha = await fd.world.github.commit(`acme/${app}`, { 'src/version.txt': '3.1.0\n' }, { message: 'Release 3.1.0', author: 'dave' });
    await fd.world.github.tag(`acme/${app}`, 'v3.1.0', sha, { message: 'Release 3.1.0\n\nSigned off by the release train.', tagger: 'release-bot' });
    fd.world.github.setCheckRun(`acme/${app}`, sha, 'test', 'success');
    fd.world.github.setCheckRun(`acme/${app}`, sha, 'trivy', checks);
    shas[app] = sha;
  }
  await fd.world.github.commit('acme/gitops', { 'k8s/overlays/dev/kustomization.yaml': kustomization('dev', 'v3.1.0', 'v3.1.0') }, { message: 'CI: dev on 3.1.0' });
  return shas;
}

describe('annotated release tags', () => {
  it('promotes an annotated tag: request shows the changes, one commit, sync followed to healthy', async () => {
    await releaseAnnotated('success');
    await fd.slash('staging v3.1.0', 'U0DEV');
    await fd.settled();
    const req = lastRequest(fd.world)!;
    expect(req.buttons.map((b) => b.text)).toEqual(expect.arrayContaining([expect.stringMatching(/Approve/)]));
    expect(req.shown).toMatch(/v2\.9\.0/);
    expect(req.shown).toMatch(/Release 3\.1\.0/);
    expect(req.shown).toMatch(/Add cart totals/);
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
    expect(await fd.world.github.readFile('acme/gitops', STAGING)).toBe(kustomization('staging', 'v3.1.0', 'v3.1.0'));
    const deploys = (await fd.world.github.log('acme/gitops')).filter((c) => c.message.startsWith('Deploy staging'));
    expect(deploys).toHaveLength(1);
    expect(deploys[0]!.message).toMatch(/v2\.9\.0 -> v3\.1\.0/);
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/healthy/i);
    // the tag object was dereferenced or the checks named the commit: either way no 404/422 was taken for "no such version"
    expect(fd.world.github.calls.filter((c) => /\/git\/(ref|refs|tags)\//.test(c.path) && c.status >= 400)).toEqual([]);
  });

  it('reads the required checks at the tagged commit, not at the tag object', async () => {
    await releaseAnnotated('failure');
    const typed = await fd.slash('staging v3.1.0', 'U0DEV');
    await fd.settled();
    expect(answersTo(fd.world, typed.responseUrl).join('\n')).toMatch(/trivy/);
    expect(requests(fd.world)).toHaveLength(0);
    expect(await fd.world.github.readFile('acme/gitops', STAGING)).toBe(kustomization('staging', 'v2.9.0', 'v2.9.0'));
  });
});
