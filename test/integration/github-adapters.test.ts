// The Octokit-backed GitOpsRepo and SourceRepos adapters against the GitHub fake: behaviour and number of calls.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubGitOpsRepo } from '../../src/adapters/github/gitopsRepo.js';
import { createOctokit } from '../../src/adapters/github/octokit.js';
import { GitHubSourceRepos } from '../../src/adapters/github/sourceRepos.js';
import { GitConflictError } from '../../src/domain/errors.js';
import { startGitHubFake, type GitHubFake } from '../../src/sandbox/github/server.js';

const TOKEN = 'adapter-token';
const OVERLAY = 'k8s/overlays/staging/kustomization.yaml';

describe('GitHub adapters', () => {
  let fake: GitHubFake;
  let gitops: GitHubGitOpsRepo;
  let sources: GitHubSourceRepos;
  const shas: string[] = [];
  const root = mkdtempSync(join(tmpdir(), 'flightdeck-gh-adapters-'));

  /** GitHub calls made while `work` runs. */
  async function callsDuring(work: () => Promise<unknown>): Promise<GitHubFake['calls']> {
    const mark = fake.calls.length;
    await work();
    return fake.calls.slice(mark);
  }

  beforeAll(async () => {
    fake = await startGitHubFake({ token: TOKEN, root });
    const octokit = createOctokit({ baseUrl: fake.url, auth: { token: TOKEN }, resilient: false });
    gitops = new GitHubGitOpsRepo(octokit, 'acme/gitops', 'main');
    sources = new GitHubSourceRepos(octokit);
    await fake.createRepo('acme/gitops', { [OVERLAY]: 'images:\n  - name: backend\n    newTag: v1   # bumped per release\n', 'README.md': 'gitops\n' });
    shas.push(await fake.createRepo('acme/backend', { 'README.md': '# backend\n' }));
    const authors = ['alice', 'bob', 'carol', 'dave', 'erin'];
    for (const [i, author] of authors.entries()) {
      shas.push(await fake.commit('acme/backend', { [`src/f${i}.ts`]: `${i}\n` }, { message: `Change ${i}\n\nDetails of ${i}`, author }));
    }
    await fake.tag('acme/backend', 'v1', shas[1]);
    await fake.tag('acme/backend', 'v2', shas[5]);
  });
  afterAll(async () => {
    await fake.close();
    rmSync(root, { recursive: true, force: true });
  });

  describe('GitOpsRepo', () => {
    it('reads a file at the branch head, or null when it does not exist', async () => {
      const file = await gitops.readFile(OVERLAY);
      expect(file).toMatchObject({ path: OVERLAY, content: 'images:\n  - name: backend\n    newTag: v1   # bumped per release\n' });
      expect(file?.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(await gitops.readFile('k8s/overlays/nope/kustomization.yaml')).toBeNull();
    });

    it('writes a file based on the version read and finds its last commit', async () => {
      const base = await gitops.readFile(OVERLAY);
      if (!base) throw new Error('overlay missing');
      const { commitSha } = await gitops.writeFile(base, base.content.replace('v1', 'v2'), 'staging: backend v1 -> v2');
      expect(await fake.headSha('acme/gitops')).toBe(commitSha);
      expect(await fake.readFile('acme/gitops', OVERLAY)).toContain('newTag: v2   # bumped per release');
      expect(await gitops.lastCommitOf(OVERLAY)).toEqual({ sha: commitSha, message: 'staging: backend v1 -> v2' });
      await fake.commit('acme/gitops', { 'README.md': 'changed\n' }, { message: 'Touch readme' });
      expect((await gitops.lastCommitOf(OVERLAY))?.sha).toBe(commitSha);
      expect(await gitops.lastCommitOf('nothing/here.yaml')).toBeNull();
    });

    it('tells whether a commit contains another (for a branch head that moved past ours)', async () => {
      const older = await fake.commit('acme/gitops', { 'a.txt': '1\n' }, { message: 'older' });
      const newer = await fake.commit('acme/gitops', { 'a.txt': '2\n' }, { message: 'newer' });
      expect(await gitops.contains(newer, older)).toBe(true);
      expect(await gitops.contains(newer, newer)).toBe(true);
      expect(await gitops.contains(older, newer)).toBe(false);
      expect(await gitops.contains(newer, 'f'.repeat(40))).toBe(false);
    });

    it('throws GitConflictError when the file changed since it was read, and never forces', async () => {
      const stale = await gitops.readFile(OVERLAY);
      if (!stale) throw new Error('overlay missing');
      await fake.commit('acme/gitops', { [OVERLAY]: stale.content.replace('v2', 'v9') }, { message: 'Someone else', author: 'mallory' });
      await expect(gitops.writeFile(stale, 'lost\n', 'would clobber')).rejects.toBeInstanceOf(GitConflictError);
      expect(await fake.readFile('acme/gitops', OVERLAY)).toContain('v9');
    });

    it('loses to a competing commit pushed just before the write, then succeeds on re-read and retry', async () => {
      const base = await gitops.readFile(OVERLAY);
      if (!base) throw new Error('overlay missing');
      fake.beforeNextWrite(async () => {
        await fake.commit('acme/gitops', { [OVERLAY]: base.content.replace('    newTag', '    # frontend moved\n    newTag') }, { message: 'Competing change', author: 'ci-bot' });
      });
      await expect(gitops.writeFile(base, base.content.replace('v9', 'v3'), 'staging: backend v9 -> v3')).rejects.toBeInstanceOf(GitConflictError);
      const fresh = await gitops.readFile(OVERLAY);
      if (!fresh) throw new Error('overlay missing');
      expect(fresh.sha).not.toBe(base.sha);
      const { commitSha } = await gitops.writeFile(fresh, fresh.content.replace('v9', 'v3'), 'staging: backend v9 -> v3');
      const log = await fake.log('acme/gitops', { path: OVERLAY });
      expect(log.slice(0, 2).map((c) => [c.message, c.author])).toEqual([
        ['staging: backend v9 -> v3', 'flightdeck-bot'],
        ['Competing change', 'ci-bot'],
      ]);
      expect(log[0]?.sha).toBe(commitSha);
      expect(await fake.readFile('acme/gitops', OVERLAY)).toBe('images:\n  - name: backend\n    # frontend moved\n    newTag: v3   # bumped per release\n');
    });
  });

  describe('SourceRepos', () => {
    it('resolves tags, shas and short shas; null for unknown refs and repositories', async () => {
      expect(await sources.resolveRef('acme/backend', 'v2', 'tag')).toEqual({ sha: shas[5] });
      expect(await sources.resolveRef('acme/backend', shas[3] ?? '', 'commit')).toEqual({ sha: shas[3] });
      expect(await sources.resolveRef('acme/backend', (shas[3] ?? '').slice(0, 8), 'commit')).toEqual({ sha: shas[3] });
      expect(await sources.resolveRef('acme/backend', 'v7', 'tag')).toBeNull();
      expect(await sources.resolveRef('acme/backend', 'f'.repeat(40), 'commit')).toBeNull();
      expect(await sources.resolveRef('acme/nothing', 'v1', 'tag')).toBeNull();
      // a branch or a sha is not a release tag, and a tag name is not a commit
      expect(await sources.resolveRef('acme/backend', 'main', 'tag')).toBeNull();
      expect(await sources.resolveRef('acme/backend', shas[3] ?? '', 'tag')).toBeNull();
      expect(await sources.resolveRef('acme/backend', 'v2', 'commit')).toBeNull();
    });

    it('reads checks from one check-runs call: newest run per name, neutral/skipped pass, unfinished pending', async () => {
      const sha = shas[5] ?? '';
      fake.setCheckRun('acme/backend', sha, 'test', 'failure');
      fake.setCheckRun('acme/backend', sha, 'test', 'success');
      fake.setCheckRun('acme/backend', sha, 'lint', 'neutral');
      fake.setCheckRun('acme/backend', sha, 'docs', 'skipped');
      fake.setCheckRun('acme/backend', sha, 'trivy', 'timed_out');
      fake.setCheckRun('acme/backend', sha, 'e2e', null);
      let results: Awaited<ReturnType<GitHubSourceRepos['checks']>> = [];
      const calls = await callsDuring(async () => (results = await sources.checks('acme/backend', 'v2', ['test', 'lint', 'docs', 'trivy', 'e2e'])));
      expect(results.map((r) => [r.name, r.state])).toEqual([
        ['test', 'success'],
        ['lint', 'success'],
        ['docs', 'success'],
        ['trivy', 'failure'],
        ['e2e', 'pending'],
      ]);
      expect(results[0]?.url).toMatch(/^http/);
      expect(calls.map((c) => c.path)).toEqual(['/repos/acme/backend/commits/v2/check-runs']);
    });

    it('falls back to one combined-status call for names without check runs; absent ones are missing', async () => {
      const sha = shas[4] ?? '';
      fake.setCheckRun('acme/backend', sha, 'test', 'success');
      fake.setStatus('acme/backend', sha, 'ci/build', 'success');
      fake.setStatus('acme/backend', sha, 'ci/sonar', 'error');
      fake.setStatus('acme/backend', sha, 'ci/slow', 'pending');
      let results: Awaited<ReturnType<GitHubSourceRepos['checks']>> = [];
      const calls = await callsDuring(async () => (results = await sources.checks('acme/backend', sha, ['test', 'ci/build', 'ci/sonar', 'ci/slow', 'trivy'])));
      expect(results.map((r) => [r.name, r.state])).toEqual([
        ['test', 'success'],
        ['ci/build', 'success'],
        ['ci/sonar', 'failure'],
        ['ci/slow', 'pending'],
        ['trivy', 'missing'],
      ]);
      expect(results.find((r) => r.name === 'ci/build')?.url).toContain('ci/build');
      expect(calls.map((c) => c.path)).toEqual([`/repos/acme/backend/commits/${sha}/check-runs`, `/repos/acme/backend/commits/${sha}/status`]);
      expect((await sources.checks('acme/backend', 'v404', ['test'])).map((r) => r.state)).toEqual(['missing']);
    });

    it('finds a check run beyond the first page of 100', async () => {
      const sha = shas[2] ?? '';
      fake.setCheckRun('acme/backend', sha, 'needle', 'success');
      for (let i = 0; i < 120; i++) fake.setCheckRun('acme/backend', sha, `matrix-${i}`, 'success');
      const [needle] = await sources.checks('acme/backend', sha, ['needle']);
      expect(needle?.state).toBe('success');
    });

    it('compares two versions: the total and the newest `cap` commits, newest last, with authors', async () => {
      let result: Awaited<ReturnType<GitHubSourceRepos['compare']>> = null;
      const calls = await callsDuring(async () => (result = await sources.compare('acme/backend', 'v1', 'v2', 2)));
      expect(result).toEqual({
        total: 4,
        commits: [
          { sha: shas[4], title: 'Change 3', author: 'dave' },
          { sha: shas[5], title: 'Change 4', author: 'erin' },
        ],
        url: expect.stringContaining('/acme/backend/compare/v1...v2'),
      });
      expect(calls).toHaveLength(1);
      expect((await sources.compare('acme/backend', 'v1', 'v2', 10))?.commits.map((c) => c.title)).toEqual(['Change 1', 'Change 2', 'Change 3', 'Change 4']);
      expect(await sources.compare('acme/backend', 'v1', 'v404', 5)).toBeNull();
      expect(await sources.compare('acme/backend', 'v2', 'v2', 5)).toEqual({ total: 0, commits: [], url: expect.any(String) });
    });

    it('lists the newest commits of a compare longer than one response', async () => {
      const head = await fake.createRepo('acme/long', { 'README.md': 'long\n' });
      await fake.tag('acme/long', 'v1');
      // 255 commits in one fast-import straight into the fake's repository (<root>/<owner>/<name>.git): GitHub lists 250 per compare.
      let stream = '';
      for (let i = 0; i < 255; i++) {
        const message = `Step ${i}`;
        stream += `commit refs/heads/main\ncommitter bot <bot@users.noreply.github.com> ${1_700_000_000 + i} +0000\ndata ${message.length}\n${message}\n`;
        if (i === 0) stream += `from ${head}\n`;
        stream += `M 100644 inline n.txt\ndata ${String(i).length}\n${i}\n`;
      }
      execFileSync('git', ['fast-import', '--quiet'], { cwd: join(root, 'acme', 'long.git'), input: stream });
      const result = await sources.compare('acme/long', 'v1', 'main', 3);
      expect(result?.total).toBe(255);
      expect(result?.commits.map((c) => [c.title, c.author])).toEqual([
        ['Step 252', 'bot'],
        ['Step 253', 'bot'],
        ['Step 254', 'bot'],
      ]);
    });

    it('creates a deployment regardless of checks and records its statuses', async () => {
      fake.setCheckRun('acme/backend', shas[1] ?? '', 'test', 'failure');
      const { id } = await sources.createDeployment('acme/backend', { ref: 'v1', environment: 'staging', description: 'backend v1 to staging' });
      await sources.setDeploymentStatus('acme/backend', id, 'in_progress', { logUrl: 'https://example.slack.com/archives/C1/p1' });
      await sources.setDeploymentStatus('acme/backend', id, 'success', { description: 'x'.repeat(300) });
      expect(fake.deployments('acme/backend')).toEqual([{ id, ref: 'v1', environment: 'staging', statuses: [{ state: 'in_progress', description: '' }, { state: 'success', description: 'x'.repeat(140) }] }]);
    });
  });
});
