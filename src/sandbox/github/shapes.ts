// JSON bodies shaped like GitHub's REST responses (the fields clients read), built from git and fake records.
import type { GitCommit, GitPerson } from './gitRepo.js';
import type { CheckRunRecord, DeploymentRecord, FakeState, RepoState, StatusRecord } from './model.js';

const NOREPLY = /^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$/;

/** The GitHub account of a git identity: only noreply addresses map to a login in the fake. */
export function loginOf(email: string): string | null {
  return NOREPLY.exec(email)?.[1] ?? null;
}

export function emailOf(login: string): string {
  return `${login}@users.noreply.github.com`;
}

function user(state: FakeState, login: string | null): Record<string, unknown> | null {
  if (!login) return null;
  return { login, id: 1000 + [...login].reduce((n, c) => n + c.charCodeAt(0), 0), type: 'User', url: `${state.url}/users/${login}`, html_url: `${state.url}/${login}` };
}

function person(p: GitPerson): Record<string, unknown> {
  return { name: p.name, email: p.email, date: new Date(p.date).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

export function repoJson(state: FakeState, repo: RepoState): Record<string, unknown> {
  const api = `${state.url}/repos/${repo.fullName}`;
  return {
    id: repo.id,
    node_id: `R_${repo.id}`,
    name: repo.name,
    full_name: repo.fullName,
    private: true,
    owner: user(state, repo.owner),
    html_url: `${state.url}/${repo.fullName}`,
    url: api,
    default_branch: repo.defaultBranch,
    visibility: 'private',
    archived: false,
    disabled: false,
    permissions: { admin: true, maintain: true, push: true, triage: true, pull: true },
  };
}

export function commitJson(state: FakeState, repo: RepoState, c: GitCommit): Record<string, unknown> {
  const api = `${state.url}/repos/${repo.fullName}`;
  return {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    url: `${api}/commits/${c.sha}`,
    html_url: `${state.url}/${repo.fullName}/commit/${c.sha}`,
    comments_url: `${api}/commits/${c.sha}/comments`,
    commit: {
      url: `${api}/git/commits/${c.sha}`,
      author: person(c.author),
      committer: person(c.committer),
      message: c.message,
      tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
      comment_count: 0,
      verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
    },
    author: user(state, loginOf(c.author.email)),
    committer: user(state, loginOf(c.committer.email)),
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: `${state.url}/${repo.fullName}/commit/${p}` })),
  };
}

/** The commit as the contents API returns it (a git commit object, not a repository commit). */
export function gitCommitJson(state: FakeState, repo: RepoState, c: GitCommit): Record<string, unknown> {
  const api = `${state.url}/repos/${repo.fullName}`;
  return {
    sha: c.sha,
    node_id: `C_${c.sha}`,
    url: `${api}/git/commits/${c.sha}`,
    html_url: `${state.url}/${repo.fullName}/commit/${c.sha}`,
    author: person(c.author),
    committer: person(c.committer),
    message: c.message,
    tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
    parents: c.parents.map((p) => ({ sha: p, url: `${api}/git/commits/${p}`, html_url: `${state.url}/${repo.fullName}/commit/${p}` })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null },
  };
}

export function contentJson(
  state: FakeState,
  repo: RepoState,
  entry: { type: 'blob' | 'tree'; sha: string; size: number; path: string },
  ref: string,
  content?: Buffer,
): Record<string, unknown> {
  const api = `${state.url}/repos/${repo.fullName}`;
  const type = entry.type === 'blob' ? 'file' : 'dir';
  const self = `${api}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`;
  const html = `${state.url}/${repo.fullName}/${type === 'file' ? 'blob' : 'tree'}/${ref}/${entry.path}`;
  const git = `${api}/git/${type === 'file' ? 'blobs' : 'trees'}/${entry.sha}`;
  const body: Record<string, unknown> = {
    type,
    name: entry.path.split('/').pop() ?? entry.path,
    path: entry.path,
    sha: entry.sha,
    size: entry.size,
    url: self,
    html_url: html,
    git_url: git,
    download_url: type === 'file' ? `${state.url}/raw/${repo.fullName}/${ref}/${entry.path}` : null,
    _links: { self, git, html },
  };
  if (content) {
    // GitHub wraps the base64 at 60 characters.
    body['content'] = (content.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n';
    body['encoding'] = 'base64';
  }
  return body;
}

export function checkRunJson(state: FakeState, repo: RepoState, run: CheckRunRecord): Record<string, unknown> {
  const html = `${state.url}/${repo.fullName}/runs/${run.id}`;
  return {
    id: run.id,
    node_id: `CR_${run.id}`,
    head_sha: run.sha,
    external_id: '',
    url: `${state.url}/repos/${repo.fullName}/check-runs/${run.id}`,
    html_url: html,
    details_url: html,
    status: run.conclusion === null ? 'in_progress' : 'completed',
    conclusion: run.conclusion,
    started_at: run.at,
    completed_at: run.conclusion === null ? null : run.at,
    output: { title: null, summary: null, text: null, annotations_count: 0 },
    name: run.name,
    app: { id: 15368, slug: 'github-actions', name: 'GitHub Actions' },
    pull_requests: [],
  };
}

export function statusJson(state: FakeState, s: StatusRecord): Record<string, unknown> {
  return {
    id: s.id,
    node_id: `SC_${s.id}`,
    state: s.state,
    context: s.context,
    description: s.description,
    target_url: s.targetUrl,
    avatar_url: null,
    created_at: s.at,
    updated_at: s.at,
    url: `${state.url}/statuses/${s.sha}`,
  };
}

export function deploymentJson(state: FakeState, repo: RepoState, d: DeploymentRecord): Record<string, unknown> {
  const url = `${state.url}/repos/${repo.fullName}/deployments/${d.id}`;
  return {
    id: d.id,
    node_id: `DE_${d.id}`,
    url,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    environment: d.environment,
    original_environment: d.environment,
    description: d.description,
    payload: d.payload,
    creator: user(state, d.creator),
    created_at: d.at,
    updated_at: d.statuses.at(-1)?.at ?? d.at,
    statuses_url: `${url}/statuses`,
    repository_url: `${state.url}/repos/${repo.fullName}`,
    transient_environment: false,
    production_environment: d.environment === 'production',
  };
}

export function deploymentStatusJson(state: FakeState, repo: RepoState, d: DeploymentRecord, s: DeploymentRecord['statuses'][number]): Record<string, unknown> {
  const url = `${state.url}/repos/${repo.fullName}/deployments/${d.id}`;
  return {
    id: s.id,
    node_id: `DES_${s.id}`,
    url: `${url}/statuses/${s.id}`,
    state: s.state,
    creator: user(state, state.login),
    description: s.description,
    environment: d.environment,
    target_url: s.logUrl,
    log_url: s.logUrl,
    environment_url: s.environmentUrl,
    created_at: s.at,
    updated_at: s.at,
    deployment_url: url,
    repository_url: `${state.url}/repos/${repo.fullName}`,
  };
}
