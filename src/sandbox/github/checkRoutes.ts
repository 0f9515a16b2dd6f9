// The GitHub fake's check runs, commit statuses and deployments endpoints, answered from in-memory records.
import { checkRunJson, deploymentJson, deploymentStatusJson, statusJson } from './shapes.js';
import { HttpError, commitOf, ok, paginate, str, type CheckRunRecord, type RepoState, type Reply, type RouteContext, type StatusRecord } from './model.js';

const STATUS_STATES = ['success', 'failure', 'error', 'pending'] as const;
const DEPLOYMENT_STATES = ['error', 'failure', 'inactive', 'in_progress', 'queued', 'pending', 'success'];

function decode(raw: string): string {
  return raw.split('/').map((s) => decodeURIComponent(s)).join('/');
}

function selfUrl(ctx: RouteContext): string {
  const u = new URL(`${ctx.state.url}/repos/${ctx.repo.fullName}/${ctx.rest}`);
  ctx.query.forEach((v, k) => u.searchParams.set(k, v));
  return u.toString();
}

/** The newest record per key, newest first. */
function latestBy<T extends { id: number }>(items: T[], key: (item: T) => string): T[] {
  const newest = new Map<string, T>();
  for (const item of items) {
    const seen = newest.get(key(item));
    if (!seen || seen.id < item.id) newest.set(key(item), item);
  }
  return [...newest.values()].sort((a, b) => b.id - a.id);
}

export function latestCheckRuns(repo: RepoState, sha: string): CheckRunRecord[] {
  return latestBy(repo.checkRuns.filter((r) => r.sha === sha), (r) => r.name);
}

export function latestStatuses(repo: RepoState, sha: string): StatusRecord[] {
  return latestBy(repo.statuses.filter((s) => s.sha === sha), (s) => s.context);
}

async function listCheckRuns(ctx: RouteContext, ref: string): Promise<Reply> {
  const sha = await commitOf(ctx.repo, ref);
  const all = ctx.query.get('filter') === 'all';
  let runs = all ? ctx.repo.checkRuns.filter((r) => r.sha === sha).sort((a, b) => b.id - a.id) : latestCheckRuns(ctx.repo, sha);
  const name = ctx.query.get('check_name');
  if (name) runs = runs.filter((r) => r.name === name);
  const status = ctx.query.get('status');
  if (status) runs = runs.filter((r) => (r.conclusion === null ? 'in_progress' : 'completed') === status);
  const page = paginate(runs, ctx.query, selfUrl(ctx));
  return ok({ total_count: runs.length, check_runs: page.items.map((r) => checkRunJson(ctx.state, ctx.repo, r)) }, 200, page.headers);
}

async function combinedStatus(ctx: RouteContext, ref: string): Promise<Reply> {
  const sha = await commitOf(ctx.repo, ref);
  const statuses = latestStatuses(ctx.repo, sha);
  const state =
    statuses.length === 0 || statuses.some((s) => s.state === 'pending')
      ? 'pending'
      : statuses.some((s) => s.state === 'failure' || s.state === 'error')
        ? 'failure'
        : 'success';
  const page = paginate(statuses, ctx.query, selfUrl(ctx), 100);
  return ok(
    {
      state,
      statuses: page.items.map((s) => statusJson(ctx.state, s)),
      sha,
      total_count: statuses.length,
      repository: { id: ctx.repo.id, full_name: ctx.repo.fullName },
      commit_url: `${ctx.state.url}/repos/${ctx.repo.fullName}/commits/${sha}`,
      url: `${ctx.state.url}/repos/${ctx.repo.fullName}/commits/${sha}/status`,
    },
    200,
    page.headers,
  );
}

async function createStatus(ctx: RouteContext, ref: string): Promise<Reply> {
  const sha = await commitOf(ctx.repo, ref);
  const state = str(ctx.body['state']);
  if (!STATUS_STATES.includes(state as (typeof STATUS_STATES)[number])) throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'Status', field: 'state', code: 'custom' }] });
  const record: StatusRecord = {
    id: ctx.state.nextId(),
    sha,
    context: str(ctx.body['context']) ?? 'default',
    state: state as StatusRecord['state'],
    targetUrl: str(ctx.body['target_url']) ?? null,
    description: str(ctx.body['description']) ?? null,
    at: new Date().toISOString(),
  };
  ctx.repo.statuses.push(record);
  return ok(statusJson(ctx.state, record), 201);
}

/** The required contexts that are not green on a commit (GitHub checks them before it creates a deployment). */
function failingContexts(repo: RepoState, sha: string, required: string[] | undefined): string[] {
  const green = new Map<string, boolean>();
  for (const s of latestStatuses(repo, sha)) green.set(s.context, s.state === 'success');
  for (const r of latestCheckRuns(repo, sha)) green.set(r.name, r.conclusion === 'success' || r.conclusion === 'neutral' || r.conclusion === 'skipped');
  const names = required ?? [...green.keys()];
  return names.filter((n) => green.get(n) !== true);
}

async function createDeployment(ctx: RouteContext): Promise<Reply> {
  const ref = str(ctx.body['ref']);
  if (!ref) throw new HttpError(422, 'Invalid request.\n\n"ref" wasn\'t supplied.');
  const sha = await ctx.repo.git.resolve(ref);
  if (!sha) throw new HttpError(422, `No ref found for: ${ref}`);
  const requiredRaw = ctx.body['required_contexts'];
  const required = Array.isArray(requiredRaw) ? requiredRaw.filter((c): c is string => typeof c === 'string') : undefined;
  const failing = failingContexts(ctx.repo, sha, required);
  if (failing.length > 0) {
    throw new HttpError(409, `Conflict: Commit status checks failed for ${ref}.`, { errors: [{ contexts: failing.map((context) => ({ context, state: 'failure' })), resource: 'Deployment', field: 'required_contexts', code: 'invalid' }] });
  }
  const record = {
    id: ctx.state.nextId(),
    sha,
    ref,
    task: str(ctx.body['task']) ?? 'deploy',
    environment: str(ctx.body['environment']) ?? 'production',
    description: str(ctx.body['description']) ?? null,
    payload: ctx.body['payload'] ?? {},
    creator: ctx.state.login,
    at: new Date().toISOString(),
    statuses: [],
  };
  ctx.repo.deployments.push(record);
  return ok(deploymentJson(ctx.state, ctx.repo, record), 201);
}

async function createDeploymentStatus(ctx: RouteContext, id: number): Promise<Reply> {
  const deployment = ctx.repo.deployments.find((d) => d.id === id);
  if (!deployment) throw new HttpError(404, 'Not Found');
  const state = str(ctx.body['state']);
  if (!state || !DEPLOYMENT_STATES.includes(state)) throw new HttpError(422, 'Validation Failed', { errors: [{ resource: 'DeploymentStatus', field: 'state', code: 'invalid' }] });
  const status = {
    id: ctx.state.nextId(),
    state,
    description: str(ctx.body['description']) ?? '',
    logUrl: str(ctx.body['log_url']) ?? str(ctx.body['target_url']) ?? '',
    environmentUrl: str(ctx.body['environment_url']) ?? '',
    at: new Date().toISOString(),
  };
  deployment.statuses.push(status);
  return ok(deploymentStatusJson(ctx.state, ctx.repo, deployment, status), 201);
}

function listDeployments(ctx: RouteContext): Reply {
  const q = ctx.query;
  const matches = ctx.repo.deployments
    .filter((d) => (!q.get('sha') || d.sha === q.get('sha')) && (!q.get('ref') || d.ref === q.get('ref')))
    .filter((d) => (!q.get('task') || d.task === q.get('task')) && (!q.get('environment') || d.environment === q.get('environment')))
    .sort((a, b) => b.id - a.id);
  const page = paginate(matches, q, selfUrl(ctx));
  return ok(page.items.map((d) => deploymentJson(ctx.state, ctx.repo, d)), 200, page.headers);
}

function listDeploymentStatuses(ctx: RouteContext, id: number): Reply {
  const deployment = ctx.repo.deployments.find((d) => d.id === id);
  if (!deployment) throw new HttpError(404, 'Not Found');
  const newestFirst = [...deployment.statuses].reverse();
  const page = paginate(newestFirst, ctx.query, selfUrl(ctx));
  return ok(page.items.map((s) => deploymentStatusJson(ctx.state, ctx.repo, deployment, s)), 200, page.headers);
}

/** Check runs, statuses and deployments; undefined when the route is not one of these. */
export async function checkRoutes(ctx: RouteContext): Promise<Reply | undefined> {
  const { method, rest } = ctx;
  const checks = /^commits\/(.+)\/(check-runs|status)$/.exec(rest);
  if (checks && method === 'GET') return checks[2] === 'check-runs' ? listCheckRuns(ctx, decode(checks[1] ?? '')) : combinedStatus(ctx, decode(checks[1] ?? ''));
  const statuses = /^statuses\/(.+)$/.exec(rest);
  if (statuses && method === 'POST') return createStatus(ctx, decode(statuses[1] ?? ''));
  if (rest === 'deployments') {
    if (method === 'POST') return createDeployment(ctx);
    if (method === 'GET') return listDeployments(ctx);
  }
  const depStatus = /^deployments\/(\d+)\/statuses$/.exec(rest);
  if (depStatus) {
    if (method === 'POST') return createDeploymentStatus(ctx, Number(depStatus[1]));
    if (method === 'GET') return listDeploymentStatuses(ctx, Number(depStatus[1]));
  }
  const dep = /^deployments\/(\d+)$/.exec(rest);
  if (dep && method === 'GET') {
    const deployment = ctx.repo.deployments.find((d) => d.id === Number(dep[1]));
    if (!deployment) throw new HttpError(404, 'Not Found');
    return ok(deploymentJson(ctx.state, ctx.repo, deployment));
  }
  return undefined;
}
