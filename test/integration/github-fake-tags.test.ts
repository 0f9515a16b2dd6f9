// Annotated tags (`git tag -a`) in the GitHub fake, read with the real Octokit the way GitHub answers them: the ref names a
// tag object, git/tags dereferences it, and reads by `tags/<name>` reach the tagged commit.
import { Octokit } from '@octokit/rest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubSourceRepos } from '../../src/adapters/github/sourceRepos.js';
import { startGitHubFake, type GitHubFake } from '../../src/sandbox/github/server.js';

const TOKEN = 'test-token';
const R = { owner: 'acme', repo: 'api' };
let fake: GitHubFake;
let octokit: Octokit;
let released: string;
let light: string;

beforeAll(async () => {
  fake = await startGitHubFake({ token: TOKEN });
  octokit = new Octokit({ baseUrl: fake.url, auth: TOKEN, log: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  await fake.createRepo('acme/api', { 'README.md': '# api\n' });
  light = await fake.commit('acme/api', { 'v.txt': '1\n' }, { message: 'One' });
  await fake.tag('acme/api', 'v1.0.0', light);
  released = await fake.commit('acme/api', { 'v.txt': '2\n' }, { message: 'Two', author: 'carol' });
  await fake.tag('acme/api', 'v2.0.0', released, { message: 'Release 2.0.0\n\nWith notes.', tagger: 'rel-bot' });
  fake.setCheckRun('acme/api', released, 'test', 'success');
  fake.setStatus('acme/api', released, 'trivy', 'success');
});
afterAll(async () => fake.close());

describe('annotated tags in the GitHub fake', () => {
  it('the ref of an annotated tag names a tag object, not the commit', async () => {
    const { data } = await octokit.rest.git.getRef({ ...R, ref: 'tags/v2.0.0' });
    expect(data.object.type).toBe('tag');
    expect(data.object.sha).not.toBe(released);
    expect(data.object.url).toBe(`${fake.url}/repos/acme/api/git/tags/${data.object.sha}`);
    const legacy = await octokit.request('GET /repos/{owner}/{repo}/git/refs/{ref}', { ...R, ref: 'tags/v2.0.0' });
    expect(legacy.data).toMatchObject({ ref: 'refs/tags/v2.0.0', object: { type: 'tag', sha: data.object.sha } });
  });

  it('a lightweight tag still names its commit', async () => {
    const { data } = await octokit.rest.git.getRef({ ...R, ref: 'tags/v1.0.0' });
    expect(data.object).toMatchObject({ type: 'commit', sha: light });
  });

  it('git/tags dereferences the tag object to the commit, with tagger and message', async () => {
    const { data: ref } = await octokit.rest.git.getRef({ ...R, ref: 'tags/v2.0.0' });
    const { data } = await octokit.rest.git.getTag({ ...R, tag_sha: ref.object.sha });
    expect(data).toMatchObject({ tag: 'v2.0.0', sha: ref.object.sha, message: 'Release 2.0.0\n\nWith notes.\n', object: { type: 'commit', sha: released } });
    expect(data.tagger).toMatchObject({ name: 'rel-bot', email: 'rel-bot@users.noreply.github.com' });
    expect(Date.parse(data.tagger.date)).toBeGreaterThan(Date.now() - 600_000);
    expect(data.verification?.verified).toBe(false);
  });

  it('a commit sha is not a tag object: 404', async () => {
    await expect(octokit.rest.git.getTag({ ...R, tag_sha: released })).rejects.toMatchObject({ status: 404 });
  });

  it('check runs, statuses, commits and compares by the tag reach the tagged commit', async () => {
    const runs = await octokit.rest.checks.listForRef({ ...R, ref: 'tags/v2.0.0' });
    expect(runs.data.check_runs.map((r) => [r.name, r.head_sha])).toEqual([['test', released]]);
    const status = await octokit.rest.repos.getCombinedStatusForRef({ ...R, ref: 'tags/v2.0.0' });
    expect(status.data).toMatchObject({ sha: released, state: 'success' });
    const commit = await octokit.rest.repos.getCommit({ ...R, ref: 'v2.0.0' });
    expect(commit.data.sha).toBe(released);
    const compare = await octokit.rest.repos.compareCommitsWithBasehead({ ...R, basehead: 'v1.0.0...v2.0.0' });
    expect(compare.data.commits.map((c) => c.sha)).toEqual([released]);
  });

  it("Flightdeck's source adapter resolves the annotated tag to its commit", async () => {
    const repos = new GitHubSourceRepos(octokit);
    expect(await repos.resolveRef('acme/api', 'v2.0.0', 'tag')).toEqual({ sha: released });
    expect(await repos.lookupVersion('acme/api', 'v2.0.0', 'tag', ['test', 'trivy'])).toEqual({
      sha: released,
      checks: [
        { name: 'test', state: 'success', url: expect.any(String) },
        { name: 'trivy', state: 'success', url: expect.any(String) },
      ],
    });
  });
});
