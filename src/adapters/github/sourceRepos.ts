// The source repositories port over GitHub: refs, check runs with a commit-status fallback, compares and deployments.
import type { Octokit } from '@octokit/rest';
import type { CommitSummary } from '../../domain/types.js';
import type { CheckResult, CheckState, SourceRepos } from '../../ports.js';
import { splitRepo } from './repoName.js';
import { httpStatusOf } from './requestStatus.js';

const PER_PAGE = 100;
/** GitHub rejects longer deployment status descriptions. */
const DESCRIPTION_MAX = 140;

interface CheckRunLike {
  id: number;
  head_sha?: string;
  name: string;
  status: string;
  conclusion: string | null;
  html_url: string | null;
}

interface CommitLike {
  sha: string;
  commit: { message: string; author: { name?: string } | null };
  author: { login?: string } | Record<string, never> | null;
}

function checkRunState(run: CheckRunLike): CheckState {
  if (run.status !== 'completed') return 'pending';
  return run.conclusion === 'success' || run.conclusion === 'neutral' || run.conclusion === 'skipped' ? 'success' : 'failure';
}

function statusState(state: string): CheckState {
  if (state === 'success') return 'success';
  if (state === 'pending') return 'pending';
  return 'failure';
}

function summary(c: CommitLike): CommitSummary {
  const login = c.author && 'login' in c.author ? c.author.login : undefined;
  return { sha: c.sha, title: c.commit.message.split('\n')[0] ?? '', author: login ?? c.commit.author?.name ?? 'unknown' };
}

/** Answers of an unknown ref: GitHub says 404 or 422 ("No commit found for SHA"). */
function isUnknownRef(error: unknown): boolean {
  const status = httpStatusOf(error);
  return status === 404 || status === 422;
}

export class GitHubSourceRepos implements SourceRepos {
  constructor(private readonly octokit: Octokit) {}

  async resolveRef(repo: string, ref: string, kind: 'tag' | 'commit'): Promise<{ sha: string } | null> {
    try {
      if (kind === 'commit') {
        if (!/^[0-9a-f]{7,40}$/i.test(ref)) return null;
        const { data } = await this.octokit.rest.repos.getCommit({ ...splitRepo(repo), ref });
        return { sha: data.sha };
      }
      // Only a tag counts as a release: a branch of the same name would pass through getCommit.
      const { data } = await this.octokit.rest.git.getRef({ ...splitRepo(repo), ref: `tags/${ref}` });
      if (data.object.type !== 'tag') return { sha: data.object.sha };
      // An annotated tag points at a tag object: one more call to reach the commit.
      const { data: tag } = await this.octokit.rest.git.getTag({ ...splitRepo(repo), tag_sha: data.object.sha });
      return { sha: tag.object.sha };
    } catch (error) {
      if (isUnknownRef(error)) return null;
      throw error;
    }
  }

  async checks(repo: string, ref: string, names: string[]): Promise<CheckResult[]> {
    return (await this.checksAt(repo, ref, names)).checks;
  }

  /**
   * A version and its required checks, in one call where GitHub allows: check runs and statuses take `tags/<name>`,
   * which names a tag only (never a branch), and their answers carry the commit. Where they name none (no check ran,
   * or the server does not take the prefix), the ref is resolved on its own and the checks read at its commit.
   */
  async lookupVersion(repo: string, ref: string, kind: 'tag' | 'commit', names: string[]): Promise<{ sha: string; checks: CheckResult[] } | null> {
    if (kind === 'commit' && !/^[0-9a-f]{7,40}$/i.test(ref)) return null;
    if (names.length > 0) {
      const first = await this.checksAt(repo, kind === 'tag' ? `tags/${ref}` : ref, names);
      if (first.sha) return { sha: first.sha, checks: first.checks };
    }
    const resolved = await this.resolveRef(repo, ref, kind);
    if (!resolved) return null;
    return { sha: resolved.sha, checks: names.length > 0 ? (await this.checksAt(repo, resolved.sha, names)).checks : [] };
  }

  /** The named checks at a ref, and the commit the answers name (null when none did). */
  private async checksAt(repo: string, ref: string, names: string[]): Promise<{ sha: string | null; checks: CheckResult[] }> {
    const found = new Map<string, CheckResult>();
    let sha: string | null = null;
    if (names.length === 0) return { sha, checks: [] };
    try {
      sha = await this.fromCheckRuns(repo, ref, names, found);
      if (names.some((n) => !found.has(n))) sha = (await this.fromStatuses(repo, ref, names, found)) ?? sha;
    } catch (error) {
      if (!isUnknownRef(error)) throw error;
    }
    return { sha, checks: names.map((name) => found.get(name) ?? { name, state: 'missing', url: null }) };
  }

  /** One call in the usual case; further pages only while wanted names are still unseen. Returns the commit the runs are on. */
  private async fromCheckRuns(repo: string, ref: string, names: string[], found: Map<string, CheckResult>): Promise<string | null> {
    let sha: string | null = null;
    const wanted = new Set(names);
    const newest = new Map<string, CheckRunLike>();
    for (let page = 1; ; page++) {
      const { data } = await this.octokit.rest.checks.listForRef({ ...splitRepo(repo), ref, per_page: PER_PAGE, page });
      for (const run of data.check_runs) {
        sha ??= run.head_sha ?? null;
        const seen = newest.get(run.name);
        if (wanted.has(run.name) && (!seen || seen.id < run.id)) newest.set(run.name, run);
      }
      const allSeen = names.every((n) => newest.has(n));
      if (allSeen || data.check_runs.length < PER_PAGE || page * PER_PAGE >= data.total_count) break;
    }
    for (const [name, run] of newest) found.set(name, { name, state: checkRunState(run), url: run.html_url });
    return sha;
  }

  /** Commit statuses; the combined answer names its commit (GitHub answers a ref with no statuses too). */
  private async fromStatuses(repo: string, ref: string, names: string[], found: Map<string, CheckResult>): Promise<string | null> {
    const { data } = await this.octokit.rest.repos.getCombinedStatusForRef({ ...splitRepo(repo), ref, per_page: PER_PAGE });
    for (const status of data.statuses) {
      if (names.includes(status.context) && !found.has(status.context)) {
        found.set(status.context, { name: status.context, state: statusState(status.state), url: status.target_url ?? null });
      }
    }
    return data.sha || null;
  }

  async compare(repo: string, base: string, head: string, cap: number): Promise<{ total: number; commits: CommitSummary[]; url: string | null } | null> {
    const params = { ...splitRepo(repo), basehead: `${base}...${head}` };
    let first;
    try {
      ({ data: first } = await this.octokit.rest.repos.compareCommitsWithBasehead(params));
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw error;
    }
    const total = first.total_commits;
    let commits: CommitLike[] = first.commits;
    // GitHub lists the oldest commits first; only a long compare needs the last pages for the newest ones.
    if (commits.length < total && cap > 0) {
      commits = [];
      for (let page = Math.ceil(total / PER_PAGE); page >= 1 && commits.length < cap; page--) {
        const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({ ...params, per_page: PER_PAGE, page });
        commits = [...data.commits, ...commits];
      }
    }
    return { total, commits: cap > 0 ? commits.slice(-cap).map(summary) : [], url: first.html_url ?? null };
  }

  /** One deployment of the ref; a creation whose answer was lost is found again by its ref, environment and description. */
  async createDeployment(repo: string, input: { ref: string; environment: string; description: string }): Promise<{ id: number }> {
    return guardedWrite(async () => {
      const { data } = await this.octokit.rest.repos.createDeployment({
        ...splitRepo(repo),
        ref: input.ref,
        environment: input.environment,
        description: input.description,
        auto_merge: false,
        required_contexts: [],
      });
      if (!('id' in data)) throw new GitHubDeclined(`GitHub did not create a deployment of ${repo}@${input.ref}: ${data.message ?? 'no id'}`);
      return { id: data.id };
    }, () => this.findDeployment(repo, input));
  }

  /** The deployment of the ref to the environment with this very description (it names the run), or null. */
  private async findDeployment(repo: string, input: { ref: string; environment: string; description: string }): Promise<{ id: number } | null> {
    const { data } = await this.octokit.rest.repos.listDeployments({ ...splitRepo(repo), ref: input.ref, environment: input.environment, per_page: PER_PAGE });
    const ours = data.find((d) => d.description === input.description);
    return ours ? { id: ours.id } : null;
  }

  /** Adds a status; one whose answer was lost is recognised as the deployment's newest status, not posted twice. */
  async setDeploymentStatus(repo: string, id: number, state: 'in_progress' | 'success' | 'failure', input: { logUrl?: string; description?: string }): Promise<void> {
    const description = input.description?.slice(0, DESCRIPTION_MAX);
    await guardedWrite(
      async () => {
        await this.octokit.rest.repos.createDeploymentStatus({
          ...splitRepo(repo),
          deployment_id: id,
          state,
          ...(input.logUrl !== undefined ? { log_url: input.logUrl } : {}),
          ...(description !== undefined ? { description } : {}),
        });
        return true;
      },
      async () => {
        const { data } = await this.octokit.rest.repos.listDeploymentStatuses({ ...splitRepo(repo), deployment_id: id, per_page: 1 });
        const newest = data[0];
        return newest && newest.state === state && (newest.description ?? '') === (description ?? '') ? true : null;
      },
    );
  }
}

/** GitHub answered, and did not do what was asked (its answer says why). */
class GitHubDeclined extends Error {}

/** A write whose outcome is unknown (no answer, or a server error) is tried this many times in all. */
const WRITE_ATTEMPTS = 2;

/**
 * A write that is not idempotent, guarded rather than retried blindly: when its outcome is unknown, GitHub is asked
 * whether it was applied (`applied`: what it left, or null); only when it shows it was not is it written again. A
 * refusal, a rate limit (GitHub applied nothing, and the caller is told), or a check that cannot be read ends it.
 */
async function guardedWrite<T>(write: () => Promise<T>, applied: () => Promise<T | null>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const status = httpStatusOf(error);
      if (error instanceof GitHubDeclined || (status !== undefined && status < 500)) throw error;
      let found: T | null;
      try {
        found = await applied();
      } catch {
        throw error;
      }
      if (found !== null) return found;
      if (attempt >= WRITE_ATTEMPTS) throw error;
    }
  }
}
