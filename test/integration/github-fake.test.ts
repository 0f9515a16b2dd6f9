// The GitHub fake speaks GitHub's protocol: driven by the real Octokit client against real git repositories.
import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/adapters/github/octokit.js';
import { startGitHubFake, type GitHubFake } from '../../src/sandbox/github/server.js';

const TOKEN = 'test-token';
const R = { owner: 'acme', repo: 'shop' };

function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

async function failure(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status: number; response?: { data?: { message?: string } } };
    return { status: e.status, message: e.response?.data?.message ?? '' };
  }
  throw new Error('expected the call to fail');
}

describe('GitHub fake', () => {
  let fake: GitHubFake;
  let octokit: ReturnType<typeof createOctokit>;
  let v1: string;
  let head: string;

  beforeAll(async () => {
    fake = await startGitHubFake({ token: TOKEN });
    octokit = createOctokit({ baseUrl: fake.url, auth: { token: TOKEN }, resilient: false });
    await fake.createRepo('acme/shop', { 'README.md': '# shop\n', 'k8s/app.yaml': 'tag: v1\n' });
    v1 = await fake.commit('acme/shop', { 'src/a.ts': 'a\n' }, { message: 'Add a\n\nbody', author: 'alice' });
    await fake.tag('acme/shop', 'v1', v1);
    await fake.commit('acme/shop', { 'src/b.ts': 'b\n' }, { message: 'Add b', author: 'bob' });
    head = await fake.commit('acme/shop', { 'src/a.ts': null }, { message: 'Remove a', author: 'carol' });
  });
  afterAll(async () => fake.close());

  it('answers 401 Bad credentials without the token or with a wrong one', async () => {
    const anonymous = createOctokit({ baseUrl: fake.url, auth: { token: 'wrong' }, resilient: false });
    expect(await failure(anonymous.rest.repos.get(R))).toEqual({ status: 401, message: 'Bad credentials' });
    const res = await fetch(`${fake.url}/repos/acme/shop`);
    expect(res.status).toBe(401);
  });

  it('serves the repository and 404 JSON for unknown repositories and routes', async () => {
    const { data } = await octokit.rest.repos.get(R);
    expect(data).toMatchObject({ full_name: 'acme/shop', default_branch: 'main', name: 'shop' });
    expect(await failure(octokit.rest.repos.get({ owner: 'acme', repo: 'nope' }))).toEqual({ status: 404, message: 'Not Found' });
    expect(await failure(octokit.request('GET /repos/{owner}/{repo}/pulls', R))).toEqual({ status: 404, message: 'Not Found' });
    expect(fake.calls.at(-1)).toMatchObject({ method: 'GET', path: '/repos/acme/shop/pulls', status: 404 });
  });

  it('reads a file as base64 with its git blob sha, and a directory as a listing', async () => {
    const { data } = await octokit.rest.repos.getContent({ ...R, path: 'k8s/app.yaml', ref: 'main' });
    if (Array.isArray(data) || data.type !== 'file') throw new Error('expected a file');
    expect(data).toMatchObject({ path: 'k8s/app.yaml', name: 'app.yaml', encoding: 'base64', sha: blobSha('tag: v1\n') });
    expect(Buffer.from(data.content, 'base64').toString('utf8')).toBe('tag: v1\n');
    const dir = await octokit.rest.repos.getContent({ ...R, path: 'src' });
    expect(Array.isArray(dir.data) && dir.data.map((e) => e.name)).toEqual(['b.ts']);
    expect((await failure(octokit.rest.repos.getContent({ ...R, path: 'src/a.ts' }))).status).toBe(404);
    const old = await octokit.rest.repos.getContent({ ...R, path: 'src/a.ts', ref: 'v1' });
    expect(!Array.isArray(old.data) && old.data.sha).toBe(blobSha('a\n'));
  });

  it('commits a PUT of contents, checking the blob sha like GitHub (422 missing, 409 stale, 201 create)', async () => {
    const put = (path: string, text: string, sha?: string) =>
      octokit.rest.repos.createOrUpdateFileContents({ ...R, path, message: `write ${path}`, content: Buffer.from(text).toString('base64'), ...(sha ? { sha } : {}) });
    expect(await failure(put('k8s/app.yaml', 'tag: v2\n'))).toEqual({ status: 422, message: 'Invalid request.\n\n"sha" wasn\'t supplied.' });
    expect(await failure(put('k8s/app.yaml', 'tag: v2\n', blobSha('other\n')))).toEqual({ status: 409, message: `k8s/app.yaml does not match ${blobSha('other\n')}` });
    const created = await put('k8s/new.yaml', 'x: 1\n');
    expect(created.status).toBe(201);
    const updated = await put('k8s/app.yaml', 'tag: v2\n', blobSha('tag: v1\n'));
    expect(updated.status).toBe(200);
    expect(updated.data.content?.sha).toBe(blobSha('tag: v2\n'));
    expect(await fake.readFile('acme/shop', 'k8s/app.yaml')).toBe('tag: v2\n');
    const log = await fake.log('acme/shop');
    expect(log[0]).toMatchObject({ sha: updated.data.commit.sha, message: 'write k8s/app.yaml', author: 'flightdeck-bot' });
    expect(log[1]?.sha).toBe(created.data.commit.sha);
    head = updated.data.commit.sha ?? '';
  });

  it('lets exactly one of two concurrent writes from the same read win', async () => {
    const sha = blobSha('tag: v2\n');
    const write = (text: string) =>
      octokit.rest.repos.createOrUpdateFileContents({ ...R, path: 'k8s/app.yaml', message: text, content: Buffer.from(text).toString('base64'), sha }).then(
        (r) => r.status,
        (e: { status: number }) => e.status,
      );
    const statuses = await Promise.all([write('tag: v3\n'), write('tag: v4\n')]);
    expect(statuses.sort()).toEqual([200, 409]);
    head = await fake.headSha('acme/shop');
  });

  it('resolves commits by sha, short sha, branch and tag; 422 for unknown refs', async () => {
    for (const ref of [v1, v1.slice(0, 7), 'v1']) {
      const { data } = await octokit.rest.repos.getCommit({ ...R, ref });
      expect(data).toMatchObject({ sha: v1, commit: { message: 'Add a\n\nbody', author: { name: 'alice' } }, author: { login: 'alice' } });
    }
    expect((await octokit.rest.repos.getCommit({ ...R, ref: 'main' })).data.sha).toBe(head);
    expect(await failure(octokit.rest.repos.getCommit({ ...R, ref: 'v9' }))).toEqual({ status: 422, message: 'No commit found for SHA: v9' });
  });

  it('lists commits newest first, by path, with Link pagination', async () => {
    const byPath = await octokit.rest.repos.listCommits({ ...R, path: 'src/a.ts' });
    expect(byPath.data.map((c) => c.commit.message)).toEqual(['Remove a', 'Add a\n\nbody']);
    const first = await octokit.rest.repos.listCommits({ ...R, per_page: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.repos.listCommits, { ...R, per_page: 2 });
    expect(all.map((c) => c.sha)).toEqual((await fake.log('acme/shop')).map((c) => c.sha));
  });

  it('compares two refs: commits oldest first, ahead/behind, 404 for unknown refs', async () => {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ ...R, basehead: `v1...${head}` });
    expect(data).toMatchObject({ status: 'ahead', ahead_by: data.commits.length, behind_by: 0, total_commits: data.commits.length, merge_base_commit: { sha: v1 } });
    expect(data.commits[0]?.commit.message).toBe('Add b');
    expect(data.commits.at(-1)?.sha).toBe(head);
    const back = await octokit.rest.repos.compareCommitsWithBasehead({ ...R, basehead: `${head}...v1` });
    expect(back.data).toMatchObject({ status: 'behind', ahead_by: 0, total_commits: 0 });
    expect((await failure(octokit.rest.repos.compareCommitsWithBasehead({ ...R, basehead: 'v1...v9' }))).status).toBe(404);
  });

  it('pages check runs, shows the newest run per name, and combines statuses', async () => {
    for (let i = 0; i < 150; i++) fake.setCheckRun('acme/shop', v1, `job-${i}`, 'success');
    fake.setCheckRun('acme/shop', v1, 'job-0', null);
    const page1 = await octokit.rest.checks.listForRef({ ...R, ref: 'v1', per_page: 100 });
    expect(page1.data.total_count).toBe(150);
    expect(page1.data.check_runs).toHaveLength(100);
    expect(page1.headers.link).toContain('rel="next"');
    const all = await octokit.paginate(octokit.rest.checks.listForRef, { ...R, ref: 'v1', per_page: 100 });
    expect(all).toHaveLength(150);
    expect(all.find((r) => r.name === 'job-0')).toMatchObject({ status: 'in_progress', conclusion: null, head_sha: v1 });
    const everything = await octokit.rest.checks.listForRef({ ...R, ref: v1, filter: 'all', check_name: 'job-0' });
    expect(everything.data.total_count).toBe(2);

    expect((await octokit.rest.repos.getCombinedStatusForRef({ ...R, ref: 'v1' })).data).toMatchObject({ state: 'pending', total_count: 0 });
    fake.setStatus('acme/shop', v1, 'ci/lint', 'success');
    fake.setStatus('acme/shop', v1, 'ci/e2e', 'error');
    const combined = await octokit.rest.repos.getCombinedStatusForRef({ ...R, ref: 'v1' });
    expect(combined.data).toMatchObject({ state: 'failure', sha: v1, total_count: 2 });
    fake.setStatus('acme/shop', v1, 'ci/e2e', 'success');
    expect((await octokit.rest.repos.getCombinedStatusForRef({ ...R, ref: 'v1' })).data.state).toBe('success');
  });

  it('creates deployments and their statuses, refusing failing required contexts', async () => {
    fake.setCheckRun('acme/shop', head, 'test', 'failure');
    const refused = await failure(octokit.rest.repos.createDeployment({ ...R, ref: head, environment: 'staging' }));
    expect(refused.status).toBe(409);
    const { data } = await octokit.rest.repos.createDeployment({ ...R, ref: 'main', environment: 'staging', auto_merge: false, required_contexts: [] });
    if (!('id' in data)) throw new Error('expected a deployment');
    expect(data).toMatchObject({ ref: 'main', sha: head, environment: 'staging' });
    await octokit.rest.repos.createDeploymentStatus({ ...R, deployment_id: data.id, state: 'in_progress' });
    await octokit.rest.repos.createDeploymentStatus({ ...R, deployment_id: data.id, state: 'success', log_url: 'https://slack/x' });
    expect(fake.deployments('acme/shop')).toEqual([{ id: data.id, ref: 'main', environment: 'staging', statuses: [{ state: 'in_progress', description: '' }, { state: 'success', description: '' }] }]);
    const listed = await octokit.rest.repos.listDeployments({ ...R, environment: 'staging' });
    expect(listed.data.map((d) => d.id)).toEqual([data.id]);
    expect((await failure(octokit.rest.repos.createDeploymentStatus({ ...R, deployment_id: 999999, state: 'success' }))).status).toBe(404);
  });

  it('reads, creates and moves refs; a non-fast-forward update needs force', async () => {
    expect((await octokit.rest.git.getRef({ ...R, ref: 'heads/main' })).data.object.sha).toBe(head);
    expect((await octokit.rest.git.getRef({ ...R, ref: 'tags/v1' })).data).toMatchObject({ ref: 'refs/tags/v1', object: { sha: v1, type: 'commit' } });
    expect((await failure(octokit.rest.git.getRef({ ...R, ref: 'heads/nope' }))).status).toBe(404);
    await octokit.rest.git.createRef({ ...R, ref: 'refs/heads/release', sha: v1 });
    expect(await failure(octokit.rest.git.createRef({ ...R, ref: 'refs/heads/release', sha: v1 }))).toEqual({ status: 422, message: 'Reference already exists' });
    await octokit.rest.git.updateRef({ ...R, ref: 'heads/release', sha: head });
    expect(await failure(octokit.rest.git.updateRef({ ...R, ref: 'heads/release', sha: v1 }))).toEqual({ status: 422, message: 'Update is not a fast forward' });
    await octokit.rest.git.updateRef({ ...R, ref: 'heads/release', sha: v1, force: true });
    expect(await fake.headSha('acme/shop', 'release')).toBe(v1);
  });

  it('adds the configured latency to every request', async () => {
    fake.latencyMs = 60;
    const start = Date.now();
    await octokit.rest.repos.get(R);
    fake.latencyMs = 0;
    expect(Date.now() - start).toBeGreaterThanOrEqual(55);
  });

  it('times every call by its route and authenticates as a GitHub App', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    const seen: Array<[string, boolean]> = [];
    const app = createOctokit({ baseUrl: fake.url, auth: { appId: '1', privateKey, installationId: '42' }, resilient: true, onRequest: (op, seconds, ok) => { expect(seconds).toBeGreaterThanOrEqual(0); seen.push([op, ok]); } });
    const { data } = await app.rest.repos.getContent({ ...R, path: 'README.md' });
    expect(!Array.isArray(data) && data.path).toBe('README.md');
    await app.rest.repos.getContent({ ...R, path: 'missing' }).catch(() => undefined);
    expect(seen).toContainEqual(['GET /repos/{owner}/{repo}/contents/{path}', true]);
    expect(seen).toContainEqual(['GET /repos/{owner}/{repo}/contents/{path}', false]);
    expect(fake.calls.some((c) => c.path === '/app/installations/42/access_tokens' && c.status === 201)).toBe(true);
  });
});
