// The GitHub fake's issues endpoints: create an issue and list a repository's issues (filtered by state and labels).
import { HttpError, ok, str, type Reply, type RouteContext } from './model.js';

export interface IssueRecord {
  number: number;
  title: string;
  body: string | null;
  labels: string[];
  state: 'open' | 'closed';
  user: string;
  at: string;
}

/** Issues per repository (the fake keeps them beside the git repository, keyed by full name). */
const issuesOf = new WeakMap<object, IssueRecord[]>();

export function repoIssues(repo: object): IssueRecord[] {
  let list = issuesOf.get(repo);
  if (!list) issuesOf.set(repo, (list = []));
  return list;
}

function issueJson(ctx: RouteContext, issue: IssueRecord): Record<string, unknown> {
  const api = `${ctx.state.url}/repos/${ctx.repo.fullName}`;
  return {
    id: issue.number + 1_000_000,
    node_id: `I_${issue.number}`,
    number: issue.number,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    labels: issue.labels.map((name, i) => ({ id: i + 1, name, color: 'ededed', default: false })),
    user: { login: issue.user, id: 1, type: 'Bot' },
    url: `${api}/issues/${issue.number}`,
    html_url: `${ctx.state.url}/${ctx.repo.fullName}/issues/${issue.number}`,
    comments: 0,
    created_at: issue.at,
    updated_at: issue.at,
    closed_at: null,
  };
}

/** POST/GET issues; undefined when the route is not one of these. Issue numbers share GitHub's one counter per repository. */
export async function issueRoutes(ctx: RouteContext): Promise<Reply | undefined> {
  if (ctx.rest !== 'issues') return undefined;
  const issues = repoIssues(ctx.repo);
  if (ctx.method === 'POST') {
    const title = str(ctx.body['title']);
    if (!title) throw new HttpError(422, 'Validation Failed');
    const labels = Array.isArray(ctx.body['labels']) ? (ctx.body['labels'] as unknown[]).map((l) => String(typeof l === 'object' && l ? (l as { name?: unknown }).name : l)) : [];
    const issue: IssueRecord = { number: issues.length + 1, title, body: str(ctx.body['body']) ?? null, labels, state: 'open', user: ctx.state.login, at: new Date().toISOString() };
    issues.push(issue);
    return ok(issueJson(ctx, issue), 201);
  }
  if (ctx.method === 'GET') {
    const state = ctx.query.get('state') ?? 'open';
    const wanted = (ctx.query.get('labels') ?? '').split(',').map((l) => l.trim()).filter(Boolean);
    const perPage = Math.min(100, Number(ctx.query.get('per_page') ?? 30) || 30);
    const matching = issues.filter((i) => (state === 'all' || i.state === state) && wanted.every((l) => i.labels.includes(l)));
    return ok(matching.slice().reverse().slice(0, perPage).map((i) => issueJson(ctx, i)));
  }
  return undefined;
}
