// The GitHub fake's in-memory records, request context and reply helpers (errors, pagination) shared by its routes.
import type { GitRepo } from './gitRepo.js';

export const DOCS = 'https://docs.github.com/rest';

export type CheckConclusion = 'success' | 'failure' | 'neutral' | 'skipped' | 'cancelled' | 'timed_out';

export interface CheckRunRecord {
  id: number;
  sha: string;
  name: string;
  conclusion: CheckConclusion | null;
  at: string;
}

export interface StatusRecord {
  id: number;
  sha: string;
  context: string;
  state: 'success' | 'failure' | 'error' | 'pending';
  targetUrl: string | null;
  description: string | null;
  at: string;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  description: string | null;
  payload: unknown;
  creator: string;
  at: string;
  statuses: Array<{ id: number; state: string; description: string; logUrl: string; environmentUrl: string; at: string }>;
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  git: GitRepo;
  defaultBranch: string;
  checkRuns: CheckRunRecord[];
  statuses: StatusRecord[];
  deployments: DeploymentRecord[];
  /** serialises writes: GitHub applies one ref update at a time */
  queue: Promise<unknown>;
}

export interface FakeState {
  /** base URL of the fake, without trailing slash */
  url: string;
  repos: Map<string, RepoState>;
  nextId(): number;
  /** the login requests are attributed to */
  login: string;
  /** takes the beforeNextWrite hook, if any (it runs once) */
  takeWriteHook(): (() => Promise<void>) | null;
}

export interface RouteContext {
  state: FakeState;
  repo: RepoState;
  method: string;
  /** the path after /repos/{owner}/{repo}, raw (still percent-encoded), without leading slash */
  rest: string;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Route = (ctx: RouteContext) => Promise<Reply | undefined>;

/** A reply GitHub would send as an error: `{message, documentation_url}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
  toReply(): Reply {
    return { status: this.status, body: { message: this.message, documentation_url: DOCS, ...this.extra, status: String(this.status) } };
  }
}

export function ok(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

/** Runs a write after every earlier write of the repository has finished. */
export function serialized<T>(repo: RepoState, work: () => Promise<T>): Promise<T> {
  const next = repo.queue.then(work, work);
  repo.queue = next.catch(() => undefined);
  return next;
}

/** GitHub's page/per_page with a Link header (next, last, first, prev). */
export function paginate<T>(items: T[], query: URLSearchParams, selfUrl: string, defaultPerPage = 30): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? defaultPerPage) || defaultPerPage));
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (p: number, rel: string): string => {
    const u = new URL(selfUrl);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(p));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  const headers: Record<string, string> = links.length > 0 ? { link: links.join(', ') } : {};
  return { items: items.slice((page - 1) * perPage, page * perPage), headers };
}

/** The commit a ref names, or the 422 GitHub answers for an unknown one. */
export async function commitOf(repo: RepoState, ref: string): Promise<string> {
  const sha = await repo.git.resolve(ref);
  if (!sha) throw new HttpError(422, `No commit found for SHA: ${ref}`);
  return sha;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
