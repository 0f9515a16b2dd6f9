// The GitOps repository port over GitHub's contents and commits API: read at the branch head, write based on the blob read.
import type { Octokit } from '@octokit/rest';
import { GitConflictError, UnknownOutcomeError } from '../../domain/errors.js';
import type { GitOpsRepo, RepoFile } from '../../ports.js';
import { splitRepo } from './repoName.js';
import { githubMessageOf, httpStatusOf } from './requestStatus.js';

export class GitHubGitOpsRepo implements GitOpsRepo {
  private readonly owner: string;
  private readonly repo: string;

  constructor(
    private readonly octokit: Octokit,
    fullName: string,
    private readonly branch: string,
    /** GitHub's web address for people (https://github.com, or a GitHub Enterprise Server's host) */
    private readonly webUrl: string = 'https://github.com',
  ) {
    ({ owner: this.owner, repo: this.repo } = splitRepo(fullName));
  }

  async readFile(path: string): Promise<RepoFile | null> {
    return this.readFileAt(path, this.branch);
  }

  async readFileAt(path: string, ref: string): Promise<RepoFile | null> {
    try {
      const { data } = await this.octokit.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref });
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data)) {
        throw new Error(`${this.owner}/${this.repo}:${path} on ${this.branch} is a ${Array.isArray(data) ? 'directory' : data.type}, not a file`);
      }
      // GitHub leaves `content` empty (encoding "none") for files over 1 MB; an overlay never is one.
      if (data.encoding !== 'base64') throw new Error(`${this.owner}/${this.repo}:${path} came back with encoding "${data.encoding}"; files over 1 MB are not supported`);
      return { path, content: Buffer.from(data.content, 'base64').toString('utf8'), sha: data.sha };
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw error;
    }
  }

  async writeFile(base: RepoFile, content: string, message: string): Promise<{ commitSha: string }> {
    try {
      const { data } = await this.octokit.rest.repos.createOrUpdateFileContents({
        owner: this.owner,
        repo: this.repo,
        path: base.path,
        branch: this.branch,
        sha: base.sha,
        message,
        content: Buffer.from(content, 'utf8').toString('base64'),
      });
      const sha = data.commit.sha;
      if (!sha) throw new Error(`GitHub answered the write of ${base.path} without a commit sha`);
      return { commitSha: sha };
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 409 || (status === 422 && /\bsha\b/i.test(githubMessageOf(error)))) {
        throw new GitConflictError(`${base.path} changed on ${this.branch} since it was read (${githubMessageOf(error)})`, { cause: error });
      }
      // No answer, or a server error: the write may have been applied. The caller reads again to find out.
      if (status === undefined || status >= 500) throw new UnknownOutcomeError(`the write of ${base.path} had no usable answer`, { cause: error });
      throw error;
    }
  }

  async lastCommitOf(path: string): Promise<{ sha: string; message: string } | null> {
    const { data } = await this.octokit.rest.repos.listCommits({ owner: this.owner, repo: this.repo, sha: this.branch, path, per_page: 1 });
    const last = data[0];
    return last ? { sha: last.sha, message: last.commit.message } : null;
  }

  async historyOf(path: string, limit: number): Promise<Array<{ sha: string; message: string }>> {
    const { data } = await this.octokit.rest.repos.listCommits({ owner: this.owner, repo: this.repo, sha: this.branch, path, per_page: Math.min(100, limit) });
    return data.slice(0, limit).map((c) => ({ sha: c.sha, message: c.commit.message }));
  }

  commitUrl(sha: string): string | null {
    return `${this.webUrl}/${this.owner}/${this.repo}/commit/${sha}`;
  }

  async contains(descendant: string, ancestor: string): Promise<boolean> {
    try {
      // compare base...head: "ahead" or "identical" means head's history includes base.
      const { data } = await this.octokit.rest.repos.compareCommits({ owner: this.owner, repo: this.repo, base: ancestor, head: descendant, per_page: 1 });
      return data.status === 'ahead' || data.status === 'identical';
    } catch (error) {
      if (httpStatusOf(error) === 404) return false;
      throw error;
    }
  }
}

/** GitHub's web address for an API base URL: api.github.com -> github.com, a server's /api/v3 -> the server. */
export function webUrlOf(apiUrl: string): string {
  const url = apiUrl.replace(/\/+$/, '');
  if (/^https:\/\/api\.github\.com$/i.test(url)) return 'https://github.com';
  return url.replace(/\/api\/v3$/i, '');
}
