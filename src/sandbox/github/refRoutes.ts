// The GitHub fake's git references endpoints (get, create, update with fast-forward check, delete).
import { HttpError, ok, serialized, str, type Reply, type RouteContext } from './model.js';

function decode(raw: string): string {
  return raw.split('/').map((s) => decodeURIComponent(s)).join('/');
}

function refJson(ctx: RouteContext, fullRef: string, sha: string): Record<string, unknown> {
  const api = `${ctx.state.url}/repos/${ctx.repo.fullName}`;
  return { ref: fullRef, node_id: `REF_${fullRef}`, url: `${api}/git/${fullRef}`, object: { sha, type: 'commit', url: `${api}/git/commits/${sha}` } };
}

async function objectSha(ctx: RouteContext, sha: string | undefined): Promise<string> {
  const resolved = sha && /^[0-9a-f]{40}$/.test(sha) ? await ctx.repo.git.resolve(sha) : null;
  if (!resolved) throw new HttpError(422, 'Object does not exist');
  return resolved;
}

async function getRef(ctx: RouteContext, ref: string): Promise<Reply> {
  const fullRef = `refs/${ref}`;
  const sha = await ctx.repo.git.refTarget(fullRef);
  if (!sha) throw new HttpError(404, 'Not Found');
  return ok(refJson(ctx, fullRef, sha));
}

async function createRef(ctx: RouteContext): Promise<Reply> {
  const fullRef = str(ctx.body['ref']) ?? '';
  if (!/^refs\/[^/]+\/.+/.test(fullRef)) throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
  const sha = await objectSha(ctx, str(ctx.body['sha']));
  return serialized(ctx.repo, async () => {
    if (await ctx.repo.git.refTarget(fullRef)) throw new HttpError(422, 'Reference already exists');
    await ctx.repo.git.updateRef(fullRef, sha, null);
    return ok(refJson(ctx, fullRef, sha), 201);
  });
}

async function updateRef(ctx: RouteContext, ref: string): Promise<Reply> {
  const fullRef = `refs/${ref}`;
  const sha = await objectSha(ctx, str(ctx.body['sha']));
  const force = ctx.body['force'] === true;
  return serialized(ctx.repo, async () => {
    const current = await ctx.repo.git.refTarget(fullRef);
    if (!current) throw new HttpError(422, 'Reference does not exist');
    if (!force && !(await ctx.repo.git.isAncestor(current, sha))) throw new HttpError(422, 'Update is not a fast forward');
    await ctx.repo.git.updateRef(fullRef, sha, current);
    return ok(refJson(ctx, fullRef, sha));
  });
}

async function deleteRef(ctx: RouteContext, ref: string): Promise<Reply> {
  const fullRef = `refs/${ref}`;
  return serialized(ctx.repo, async () => {
    if (!(await ctx.repo.git.refTarget(fullRef))) throw new HttpError(422, 'Reference does not exist');
    await ctx.repo.git.deleteRef(fullRef);
    return { status: 204, body: undefined };
  });
}

/** git/ref and git/refs; undefined when the route is not one of these. */
export async function refRoutes(ctx: RouteContext): Promise<Reply | undefined> {
  const { method, rest } = ctx;
  const one = /^git\/ref\/(.+)$/.exec(rest);
  if (one && method === 'GET') return getRef(ctx, decode(one[1] ?? ''));
  if (rest === 'git/refs' && method === 'POST') return createRef(ctx);
  const named = /^git\/refs\/(.+)$/.exec(rest);
  if (named && method === 'PATCH') return updateRef(ctx, decode(named[1] ?? ''));
  if (named && method === 'DELETE') return deleteRef(ctx, decode(named[1] ?? ''));
  return undefined;
}
