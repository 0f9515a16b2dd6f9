// The GitHub fake's git references and tag objects endpoints (get, create, update with fast-forward check, delete; get a tag).
import { HttpError, ok, serialized, str, type Reply, type RouteContext } from './model.js';

function decode(raw: string): string {
  return raw.split('/').map((s) => decodeURIComponent(s)).join('/');
}

/** A ref as GitHub shows it: an annotated tag's ref points at the tag object (type 'tag', url under git/tags). */
async function refJson(ctx: RouteContext, fullRef: string, sha: string): Promise<Record<string, unknown>> {
  const api = `${ctx.state.url}/repos/${ctx.repo.fullName}`;
  const type = (await ctx.repo.git.objectType(sha)) === 'tag' ? 'tag' : 'commit';
  return { ref: fullRef, node_id: `REF_${fullRef}`, url: `${api}/git/${fullRef}`, object: { sha, type, url: `${api}/git/${type}s/${sha}` } };
}

/** GET git/tags/{tag_sha}: an annotated tag object, dereferenced one level (GitHub's shape, unsigned). */
async function getTag(ctx: RouteContext, sha: string): Promise<Reply> {
  const tag = await ctx.repo.git.tagObject(sha);
  if (!tag) throw new HttpError(404, 'Not Found');
  const api = `${ctx.state.url}/repos/${ctx.repo.fullName}`;
  return ok({
    node_id: `TAG_${sha}`,
    tag: tag.tag,
    sha,
    url: `${api}/git/tags/${sha}`,
    message: tag.message,
    tagger: tag.tagger,
    object: { sha: tag.object.sha, type: tag.object.type, url: `${api}/git/${tag.object.type}s/${tag.object.sha}` },
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  });
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
  return ok(await refJson(ctx, fullRef, sha));
}

async function createRef(ctx: RouteContext): Promise<Reply> {
  const fullRef = str(ctx.body['ref']) ?? '';
  if (!/^refs\/[^/]+\/.+/.test(fullRef)) throw new HttpError(422, "Reference name must start with 'refs/' and have at least two slashes.");
  const sha = await objectSha(ctx, str(ctx.body['sha']));
  return serialized(ctx.repo, async () => {
    if (await ctx.repo.git.refTarget(fullRef)) throw new HttpError(422, 'Reference already exists');
    await ctx.repo.git.updateRef(fullRef, sha, null);
    return ok(await refJson(ctx, fullRef, sha), 201);
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
    return ok(await refJson(ctx, fullRef, sha));
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

/** git/ref, git/refs and git/tags; undefined when the route is not one of these. */
export async function refRoutes(ctx: RouteContext): Promise<Reply | undefined> {
  const { method, rest } = ctx;
  const one = /^git\/ref\/(.+)$/.exec(rest);
  if (one && method === 'GET') return getRef(ctx, decode(one[1] ?? ''));
  if (rest === 'git/refs' && method === 'POST') return createRef(ctx);
  const tag = /^git\/tags\/([0-9a-f]{40})$/.exec(rest);
  if (tag && method === 'GET') return getTag(ctx, tag[1] ?? '');
  const named = /^git\/refs\/(.+)$/.exec(rest);
  // the older spelling of "get a reference", which GitHub still answers for a full name
  if (named && method === 'GET') return getRef(ctx, decode(named[1] ?? ''));
  if (named && method === 'PATCH') return updateRef(ctx, decode(named[1] ?? ''));
  if (named && method === 'DELETE') return deleteRef(ctx, decode(named[1] ?? ''));
  return undefined;
}
