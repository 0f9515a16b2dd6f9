// The GitHub fake's repository, contents, commits and compare endpoints, answered from the git repository.
import { commitJson, contentJson, emailOf, gitCommitJson, repoJson } from './shapes.js';
import { HttpError, commitOf, ok, paginate, serialized, str, type Reply, type RouteContext } from './model.js';

function decodePath(raw: string): string {
  return raw
    .split('/')
    .map((s) => decodeURIComponent(s))
    .join('/')
    .replace(/^\/+|\/+$/g, '');
}

function selfUrl(ctx: RouteContext): string {
  const u = new URL(`${ctx.state.url}/repos/${ctx.repo.fullName}/${ctx.rest}`);
  ctx.query.forEach((v, k) => u.searchParams.set(k, v));
  return u.toString();
}

async function getContents(ctx: RouteContext, path: string): Promise<Reply> {
  const ref = ctx.query.get('ref') || ctx.repo.defaultBranch;
  const sha = await ctx.repo.git.resolve(ref);
  if (!sha) throw new HttpError(404, `No commit found for the ref ${ref}`);
  const entry = await ctx.repo.git.entry(sha, path);
  if (!entry) throw new HttpError(404, 'Not Found');
  if (entry.type === 'tree') {
    const entries = await ctx.repo.git.listTree(sha, path);
    return ok(entries.map((e) => contentJson(ctx.state, ctx.repo, e, ref)));
  }
  const content = await ctx.repo.git.readBlob(entry.sha);
  return ok(contentJson(ctx.state, ctx.repo, { ...entry, path }, ref, content));
}

function identity(value: unknown, fallback: { name: string; email: string }): { name: string; email: string } {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const name = str(v['name']);
    const email = str(v['email']);
    if (name && email) return { name, email };
  }
  return fallback;
}

async function putContents(ctx: RouteContext, path: string): Promise<Reply> {
  const { body, repo, state } = ctx;
  const message = str(body['message']);
  const content = str(body['content']);
  if (message === undefined) throw new HttpError(422, 'Invalid request.\n\n"message" wasn\'t supplied.');
  if (content === undefined) throw new HttpError(422, 'Invalid request.\n\n"content" wasn\'t supplied.');
  if (path === '') throw new HttpError(422, 'Invalid request.\n\n"path" wasn\'t supplied.');
  const branch = str(body['branch']) ?? repo.defaultBranch;
  const hook = state.takeWriteHook();
  if (hook) await hook();
  return serialized(repo, async () => {
    const head = await repo.git.branchHead(branch);
    if (!head) throw new HttpError(404, `Branch ${branch} not found`);
    const existing = await repo.git.entry(head, path);
    if (existing?.type === 'tree') throw new HttpError(422, `Invalid request.\n\n"${path}" is a directory.`);
    const givenSha = str(body['sha']);
    if (existing && givenSha === undefined) throw new HttpError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    if (existing && givenSha !== existing.sha) throw new HttpError(409, `${path} does not match ${givenSha}`);
    const bot = { name: state.login, email: emailOf(state.login) };
    const committer = identity(body['committer'], bot);
    const author = identity(body['author'], committer);
    const commit = await repo.git.commit({ branch, files: { [path]: Buffer.from(content, 'base64') }, message, author, committer, expectedHead: head });
    const entry = await repo.git.entry(commit.sha, path);
    if (!entry) throw new Error(`fake: ${path} missing after commit`);
    return ok(
      { content: contentJson(state, repo, { ...entry, path }, branch), commit: gitCommitJson(state, repo, commit) },
      existing ? 200 : 201,
    );
  });
}

async function listCommits(ctx: RouteContext): Promise<Reply> {
  const from = ctx.query.get('sha') || ctx.repo.defaultBranch;
  const sha = await ctx.repo.git.resolve(from);
  if (!sha) throw new HttpError(404, 'Not Found');
  const path = ctx.query.get('path') ?? undefined;
  const commits = await ctx.repo.git.log(sha, path ? { path: path.replace(/^\/+/, '') } : {});
  const page = paginate(commits, ctx.query, selfUrl(ctx));
  return ok(
    page.items.map((c) => commitJson(ctx.state, ctx.repo, c)),
    200,
    page.headers,
  );
}

async function getCommit(ctx: RouteContext, ref: string): Promise<Reply> {
  const sha = await commitOf(ctx.repo, ref);
  const commit = await ctx.repo.git.commitInfo(sha);
  return ok({ ...commitJson(ctx.state, ctx.repo, commit), stats: { total: 0, additions: 0, deletions: 0 }, files: [] });
}

async function compare(ctx: RouteContext, basehead: string): Promise<Reply> {
  const m = /^(.+?)\.{2,3}(.+)$/.exec(basehead);
  if (!m) throw new HttpError(404, 'Not Found');
  const [base, head] = [m[1] ?? '', m[2] ?? ''];
  const [baseSha, headSha] = await Promise.all([ctx.repo.git.resolve(base), ctx.repo.git.resolve(head)]);
  if (!baseSha || !headSha) throw new HttpError(404, 'Not Found');
  const mergeBase = await ctx.repo.git.mergeBase(baseSha, headSha);
  if (!mergeBase) throw new HttpError(404, `No common ancestor between ${base} and ${head}.`);
  const [ahead, behind, baseCommit, mergeBaseCommit] = await Promise.all([
    ctx.repo.git.log(headSha, { exclude: mergeBase, reverse: true }),
    ctx.repo.git.log(baseSha, { exclude: mergeBase }),
    ctx.repo.git.commitInfo(baseSha),
    ctx.repo.git.commitInfo(mergeBase),
  ]);
  const status = ahead.length === 0 && behind.length === 0 ? 'identical' : behind.length === 0 ? 'ahead' : ahead.length === 0 ? 'behind' : 'diverged';
  const paged = ctx.query.has('page') || ctx.query.has('per_page');
  const page = paged ? paginate(ahead, ctx.query, selfUrl(ctx)) : { items: ahead.slice(0, 250), headers: {} };
  const html = `${ctx.state.url}/${ctx.repo.fullName}/compare/${base}...${head}`;
  return ok(
    {
      url: `${ctx.state.url}/repos/${ctx.repo.fullName}/compare/${base}...${head}`,
      html_url: html,
      permalink_url: `${ctx.state.url}/${ctx.repo.fullName}/compare/${baseSha}...${headSha}`,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      base_commit: commitJson(ctx.state, ctx.repo, baseCommit),
      merge_base_commit: commitJson(ctx.state, ctx.repo, mergeBaseCommit),
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: page.items.map((c) => commitJson(ctx.state, ctx.repo, c)),
    },
    200,
    page.headers,
  );
}

/** Repository, contents, commits and compare; undefined when the route is not one of these. */
export async function contentRoutes(ctx: RouteContext): Promise<Reply | undefined> {
  const { method, rest } = ctx;
  if (rest === '' && method === 'GET') return ok(repoJson(ctx.state, ctx.repo));
  const contents = /^contents(?:\/(.*))?$/.exec(rest);
  if (contents) {
    const path = decodePath(contents[1] ?? '');
    if (method === 'GET') return getContents(ctx, path);
    if (method === 'PUT') return putContents(ctx, path);
    return undefined;
  }
  if (method !== 'GET') return undefined;
  if (rest === 'commits') return listCommits(ctx);
  // checkRoutes has already taken commits/{ref}/check-runs and commits/{ref}/status.
  const commit = /^commits\/(.+)$/.exec(rest);
  if (commit) return getCommit(ctx, decodePath(commit[1] ?? ''));
  const cmp = /^compare\/(.+)$/.exec(rest);
  if (cmp) return compare(ctx, decodePath(cmp[1] ?? ''));
  return undefined;
}
