// A protocol-level GitHub REST fake on loopback, backed by real bare git repositories, for tests, the sandbox and benchmarks.
//
// Repositories are bare git repositories at <root>/<owner>/<name>.git; tests may inspect or seed them with git.
//
// How it may differ from api.github.com (write new differences down here):
// - Only the endpoints Flightdeck uses: repository, contents (GET/PUT), commits (list/get), compare,
//   check runs and combined status of a ref, statuses (POST), deployments and their statuses,
//   issues (create; list filtered by state and labels, newest first, one page),
//   git refs (get/create/update/delete), annotated tag objects (get) and an installation access token for GitHub App auth.
// - Annotated tags come only from `tag(..., { message })` (there is no POST git/tags); a tag's ref answers object.type
//   'tag' and git/tags/{sha} dereferences it; check runs, statuses, commits and compares by `tags/<name>` reach the commit.
//   Anything else is 404 `{message:'Not Found'}`.
// - Authentication: one token for everything (no scopes, no per-repo permissions); App JWTs are
//   accepted without checking the signature. No rate limits, no ETags/conditional requests.
// - Logins: a commit's `author`/`committer` account is derived from a `<login>@users.noreply.github.com`
//   email only, otherwise null. The authenticated identity is `state.login`.
// - Contents PUT checks the blob sha like GitHub (missing sha 422, stale sha 409, sha ignored on
//   create) but not file size limits; there is no DELETE. `GET commits/{ref}` has empty `files`/`stats`.
// - Compare without page/per_page lists up to 250 commits, with them it pages (max 100); `files` is omitted;
//   no cross-repository compares. `GET commits?sha=` with an unknown sha answers 404.
// - Deployments never auto-merge (`auto_merge` is ignored); required contexts are checked against
//   the fake's check runs and statuses. Ids of check runs, statuses and deployments share one counter.
// - html_url values point at the fake's origin, which does not serve them.
// - Failures happen only when a test or the sandbox queues them on `faults` (../faults.ts; `githubFaults` has GitHub's
//   rate-limit answers). Rate-limit headers appear only on those answers; a real 403 rate limit also sends them on
//   every success. A `lost` answer is applied in git and then the connection is closed, as a proxy 502 would leave it.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRoutes } from './checkRoutes.js';
import { contentRoutes } from './contentRoutes.js';
import { GitRepo } from './gitRepo.js';
import { HttpError, ok, serialized, type CheckConclusion, type FakeState, type RepoState, type Reply } from './model.js';
import { refRoutes } from './refRoutes.js';
import { issueRoutes, repoIssues, type IssueRecord } from './issueRoutes.js';
import { emailOf, loginOf } from './shapes.js';
import { Faults } from '../faults.js';

export interface GitHubFake {
  /** base URL for Octokit `baseUrl`, e.g. http://127.0.0.1:PORT */
  url: string;
  /** delay added to every request (for benchmarks); mutable */
  latencyMs: number;
  /** every request, in order; path without query, percent-decoded */
  /** every request, in the order answered; times are epoch ms (for round-trip counting in benchmarks) */
  calls: Array<{ method: string; path: string; status: number; startedAt: number; endedAt: number }>;
  /** returns the head sha */
  createRepo(fullName: string, files: Record<string, string>, opts?: { branch?: string; message?: string }): Promise<string>;
  /** null deletes a file; returns the new head sha */
  commit(fullName: string, files: Record<string, string | null>, opts?: { message?: string; branch?: string; author?: string }): Promise<string>;
  /** a tag of a commit (default: head of the default branch); lightweight, or annotated (`git tag -a`) when given a message */
  tag(fullName: string, tag: string, sha?: string, opts?: { message: string; tagger?: string }): Promise<void>;
  /** a new check run on the commit (the newest per name is the one GitHub shows); null conclusion = in_progress */
  setCheckRun(fullName: string, sha: string, name: string, conclusion: CheckConclusion | null): void;
  setStatus(fullName: string, sha: string, context: string, state: 'success' | 'failure' | 'error' | 'pending'): void;
  readFile(fullName: string, path: string, ref?: string): Promise<string | null>;
  /** newest first */
  log(fullName: string, opts?: { branch?: string; path?: string }): Promise<Array<{ sha: string; message: string; author: string }>>;
  headSha(fullName: string, branch?: string): Promise<string>;
  /** runs once, right before the next contents PUT is applied (lets a test push a competing commit first) */
  beforeNextWrite(hook: () => Promise<void>): void;
  deployments(fullName: string): Array<{ id: number; ref: string; environment: string; statuses: Array<{ state: string; description: string }> }>;
  /** issues created through the API, oldest first */
  issues(fullName: string): IssueRecord[];
  /** queued failures (5xx, rate limits, resets, hangs, slow or lost answers), matched by method and path */
  faults: Faults;
  close(): Promise<void>;
}

const DEFAULT_LOGIN = 'flightdeck-bot';

function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { 'x-github-media-type': 'github.v3; format=json', ...reply.headers };
  if (reply.body === undefined) {
    res.writeHead(reply.status, headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through to GitHub's answer for unparsable bodies
  }
  throw new HttpError(400, 'Problems parsing JSON');
}

/** The request path as people write it (`contents/k8s/a.yaml`, not `contents/k8s%2Fa.yaml`). */
function readablePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function authorized(header: string | undefined, token: string | undefined, path: string): boolean {
  if (token === undefined) return true;
  const m = /^(token|bearer)\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  // A GitHub App signs a JWT to ask for an installation token; the fake trusts any JWT there.
  if (/^\/app\//.test(path)) return m[1]?.toLowerCase() === 'bearer' && (m[2] ?? '').split('.').length === 3;
  return m[2] === token;
}

export async function startGitHubFake(opts: { root?: string; token?: string; latencyMs?: number } = {}): Promise<GitHubFake> {
  const ownRoot = opts.root === undefined;
  const root = opts.root ?? (await mkdtemp(join(tmpdir(), 'flightdeck-github-')));
  let lastId = 0;
  let writeHook: (() => Promise<void>) | null = null;
  const state: FakeState = {
    url: '',
    repos: new Map(),
    nextId: () => ++lastId,
    login: DEFAULT_LOGIN,
    takeWriteHook() {
      const hook = writeHook;
      writeHook = null;
      return hook;
    },
  };
  const calls: GitHubFake['calls'] = [];

  function repoOf(fullName: string): RepoState {
    const repo = state.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`GitHub fake: no repository ${fullName}`);
    return repo;
  }

  async function route(req: IncomingMessage, path: string, query: URLSearchParams): Promise<Reply> {
    const method = req.method ?? 'GET';
    if (!authorized(req.headers.authorization, opts.token, path)) throw new HttpError(401, 'Bad credentials');
    const body = method === 'GET' || method === 'HEAD' ? {} : await readBody(req);
    const token = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(path);
    if (token && method === 'POST') {
      return ok({ token: opts.token ?? 'ghs_fake', expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: { contents: 'write', checks: 'read', statuses: 'read', deployments: 'write' }, repository_selection: 'all' }, 201);
    }
    const m = /^\/repos\/([^/]+)\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (!m) throw new HttpError(404, 'Not Found');
    const repo = state.repos.get(`${decodeURIComponent(m[1] ?? '')}/${decodeURIComponent(m[2] ?? '')}`.toLowerCase());
    if (!repo) throw new HttpError(404, 'Not Found');
    const ctx = { state, repo, method, rest: (m[3] ?? '').replace(/\/+$/, ''), query, body };
    const reply = (await checkRoutes(ctx)) ?? (await refRoutes(ctx)) ?? (await contentRoutes(ctx)) ?? (await issueRoutes(ctx));
    if (!reply) throw new HttpError(404, 'Not Found');
    return reply;
  }

  const fake: GitHubFake = {
    url: '',
    latencyMs: opts.latencyMs ?? 0,
    calls,
    faults: new Faults(),

    async createRepo(fullName, files, o = {}) {
      const [owner, name, extra] = fullName.split('/');
      if (!owner || !name || extra !== undefined) throw new Error(`GitHub fake: repository name must be owner/name, got ${fullName}`);
      if (state.repos.has(fullName.toLowerCase())) throw new Error(`GitHub fake: ${fullName} exists`);
      const branch = o.branch ?? 'main';
      const git = await GitRepo.init(join(root, owner, `${name}.git`), branch);
      const repo: RepoState = { id: state.nextId(), owner, name, fullName, git, defaultBranch: branch, checkRuns: [], statuses: [], deployments: [], queue: Promise.resolve() };
      state.repos.set(fullName.toLowerCase(), repo);
      const author = { name: state.login, email: emailOf(state.login) };
      const commit = await git.commit({ branch, files, message: o.message ?? 'Initial commit', author });
      return commit.sha;
    },

    async commit(fullName, files, o = {}) {
      const repo = repoOf(fullName);
      const login = o.author ?? state.login;
      const branch = o.branch ?? repo.defaultBranch;
      const commit = await serialized(repo, () => repo.git.commit({ branch, files, message: o.message ?? 'Update files', author: { name: login, email: emailOf(login) } }));
      return commit.sha;
    },

    async tag(fullName, tag, sha, o) {
      const repo = repoOf(fullName);
      const target = await repo.git.resolve(sha ?? repo.defaultBranch);
      if (!target) throw new Error(`GitHub fake: ${fullName} has no commit ${sha}`);
      if (!o) return serialized(repo, () => repo.git.updateRef(`refs/tags/${tag}`, target));
      const tagger = o.tagger ?? state.login;
      await serialized(repo, () => repo.git.annotatedTag(tag, target, o.message, { name: tagger, email: emailOf(tagger) }));
    },

    setCheckRun(fullName, sha, name, conclusion) {
      repoOf(fullName).checkRuns.push({ id: state.nextId(), sha, name, conclusion, at: new Date().toISOString() });
    },

    setStatus(fullName, sha, context, st) {
      repoOf(fullName).statuses.push({ id: state.nextId(), sha, context, state: st, targetUrl: `${state.url}/${fullName}/status/${context}`, description: null, at: new Date().toISOString() });
    },

    async readFile(fullName, path, ref) {
      const repo = repoOf(fullName);
      const sha = await repo.git.resolve(ref ?? repo.defaultBranch);
      if (!sha) return null;
      const entry = await repo.git.entry(sha, path.replace(/^\/+|\/+$/g, ''));
      if (entry?.type !== 'blob') return null;
      return (await repo.git.readBlob(entry.sha)).toString('utf8');
    },

    async log(fullName, o = {}) {
      const repo = repoOf(fullName);
      const head = await repo.git.branchHead(o.branch ?? repo.defaultBranch);
      if (!head) throw new Error(`GitHub fake: ${fullName} has no branch ${o.branch ?? repo.defaultBranch}`);
      const commits = await repo.git.log(head, o.path ? { path: o.path } : {});
      return commits.map((c) => ({ sha: c.sha, message: c.message, author: loginOf(c.author.email) ?? c.author.name }));
    },

    async headSha(fullName, branch) {
      const repo = repoOf(fullName);
      const head = await repo.git.branchHead(branch ?? repo.defaultBranch);
      if (!head) throw new Error(`GitHub fake: ${fullName} has no branch ${branch ?? repo.defaultBranch}`);
      return head;
    },

    beforeNextWrite(hook) {
      writeHook = hook;
    },

    deployments(fullName) {
      return repoOf(fullName).deployments.map((d) => ({ id: d.id, ref: d.ref, environment: d.environment, statuses: d.statuses.map((s) => ({ state: s.state, description: s.description })) }));
    },

    issues(fullName) {
      return repoIssues(repoOf(fullName)).map((i) => ({ ...i }));
    },

    async close() {
      fake.faults.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownRoot) await rm(root, { recursive: true, force: true });
    },
  };

  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://fake');
    const path = parsed.pathname;
    const startedAt = Date.now();
    const respond = async (): Promise<Reply> => {
      if (fake.latencyMs > 0) await new Promise((r) => setTimeout(r, fake.latencyMs));
      try {
        return await route(req, path, parsed.searchParams);
      } catch (error) {
        if (error instanceof HttpError) return error.toReply();
        return { status: 500, body: { message: `fake: ${(error as Error).message}` } };
      }
    };
    void fake.faults.intercept(req, res).then((outcome) => {
      if (outcome === 'handled') return;
      return respond().then((reply) => {
        calls.push({ method: req.method ?? 'GET', path: readablePath(path), status: reply.status, startedAt, endedAt: Date.now() });
        send(res, reply);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  fake.url = state.url;
  return fake;
}
