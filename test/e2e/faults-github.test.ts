// End to end with the production Octokit (throttling and retry on): GitHub rate limits met during a request and during its
// commit. A short wait is waited out and the work done once; a long one is said to the person as a rate limit, nothing changes,
// and the same command works once GitHub answers again. The same for the commit lookup of an app versioned by commit (a 5xx
// retried, rate limits waited out or told). GitHub Deployments under faults: a write with no usable answer is checked and
// asked again only when GitHub shows it was not applied, the deploy itself never depends on them, and no status is doubled.
import { afterEach, describe, expect, it } from 'vitest';
import { githubFaults } from '../../src/sandbox/faults.js';
import { EXAMPLE_CONFIG, kustomization } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { gitopsCommits, seedWorker, shortSha, withDeployments, WORKER_CONFIG, workerTag, workerTagIn } from '../support/commit-app.js';
import { snapshot } from '../support/hostile-text.js';
import { answersTo, lastRequest, requests, threadOf } from '../support/slack-view.js';

const STAGING = 'k8s/overlays/staging/kustomization.yaml';
const STAGING_FILE = `/repos/acme/gitops/contents/${STAGING}`;
const CHECKS = '/repos/acme/backend/commits/tags/v3.0.0/check-runs';

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

const production = () => startFlightdeck({ options: { githubResilient: true } });
const deploysOfStaging = async (run: Running) => (await run.world.github.log('acme/gitops')).filter((c) => c.message.startsWith('Deploy staging'));

async function ask(run: Running) {
  const typed = await run.slash('staging v3.0.0', 'U0DEV');
  await run.settled();
  return answersTo(run.world, typed.responseUrl).join('\n');
}

describe('GitHub rate limits during a request', () => {
  it('a long 429 with Retry-After is told as a rate limit with its wait; nothing is posted, and asking again later works', async () => {
    fd = await production();
    const head = await fd.world.github.headSha('acme/gitops');
    fd.world.github.faults.inject({ method: 'GET', path: CHECKS, times: Infinity, ...githubFaults.tooManyRequests(120) });
    const said = await ask(fd);
    expect(said).toMatch(/GitHub is rate-limiting Flightdeck and asked it to wait 2m/);
    expect(said).not.toMatch(/Something failed/);
    expect(requests(fd.world)).toHaveLength(0);
    expect(await fd.world.github.headSha('acme/gitops')).toBe(head);
    fd.world.github.faults.clear();
    await ask(fd);
    expect(requests(fd.world)).toHaveLength(1);
  });

  it('a long secondary rate limit (403) is told the same way', async () => {
    fd = await production();
    fd.world.github.faults.inject({ method: 'GET', path: CHECKS, times: Infinity, ...githubFaults.secondaryRateLimit(600) });
    expect(await ask(fd)).toMatch(/GitHub is rate-limiting Flightdeck and asked it to wait 10m/);
    expect(requests(fd.world)).toHaveLength(0);
  });

  it('a primary rate limit resetting in an hour says so', async () => {
    fd = await production();
    fd.world.github.faults.inject({ method: 'GET', path: CHECKS, times: Infinity, ...githubFaults.rateLimit(3_600) });
    expect(await ask(fd)).toMatch(/asked it to wait (59m \d+s|1h)/);
  });

  it('a short secondary rate limit is waited out: one request, posted once', async () => {
    fd = await production();
    fd.world.github.faults.inject({ method: 'GET', path: CHECKS, ...githubFaults.secondaryRateLimit(1) });
    const said = await ask(fd);
    expect(said).not.toMatch(/rate-limiting|Something failed/);
    expect(fd.world.github.faults.injected.map((f) => f.status)).toEqual([403]);
    expect(requests(fd.world)).toHaveLength(1);
  });
});

describe('GitHub rate limits during the commit', () => {
  it('a short 429 on the write is waited out and the overlay committed once', async () => {
    fd = await production();
    await ask(fd);
    const req = lastRequest(fd.world)!;
    fd.world.github.faults.inject({ method: 'PUT', path: STAGING_FILE, ...githubFaults.tooManyRequests(1) });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect(fd.world.github.faults.injected.map((f) => [f.method, f.status])).toEqual([['PUT', 429]]);
    expect(await deploysOfStaging(fd)).toHaveLength(1);
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('succeeded');
  });

  it('a long rate limit on the write fails the request with the reason; nothing is committed and it can be asked again', async () => {
    fd = await production();
    await ask(fd);
    const req = lastRequest(fd.world)!;
    fd.world.github.faults.inject({ method: 'PUT', path: STAGING_FILE, times: Infinity, ...githubFaults.secondaryRateLimit(300) });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await fd.settled();
    expect((await fd.app.store.getRequest(req.id))?.state).toBe('failed');
    expect(threadOf(fd.world, req.ts).join('\n')).toMatch(/GitHub is rate-limiting Flightdeck and asked it to wait 5m/);
    // a write refused with a rate limit was applied nowhere: not re-read as a lost answer, not retried
    expect(fd.world.github.faults.injected.filter((f) => f.method === 'PUT')).toHaveLength(1);
    expect(await deploysOfStaging(fd)).toHaveLength(0);
    expect(await fd.world.github.readFile('acme/gitops', STAGING)).toBe(kustomization('staging', 'v2.9.0', 'v2.9.0'));
    fd.world.github.faults.clear();
    await ask(fd);
    const again = lastRequest(fd.world)!;
    expect(again.id).not.toBe(req.id);
    await fd.click('deploy_approve', again.id, 'U0LEAD');
    await fd.settled();
    expect((await fd.app.store.getRequest(again.id))?.state).toBe('succeeded');
    expect(await deploysOfStaging(fd)).toHaveLength(1);
  });
});

describe('GitHub faults on the commit lookup of an app versioned by commit', () => {
  const workerWorld = async (opts: { resilient?: boolean; devAt?: 'old' | 'next' } = {}) => {
    const run = await startFlightdeck({ config: WORKER_CONFIG, options: { githubResilient: opts.resilient ?? true } });
    return { run, ...(await seedWorker(run.world, opts.devAt ? { devAt: opts.devAt } : {})) };
  };
  const typedBy = async (run: Running, text: string) => {
    const typed = await run.slash(text, 'U0DEV');
    await run.settled();
    return answersTo(run.world, typed.responseUrl).join('\n');
  };
  const COMMIT = (sha: string) => `/repos/acme/worker/commits/${shortSha(sha)}`;

  it('a 502 on the commit is retried: the deploy goes through once', async () => {
    const { run, next } = await workerWorld();
    fd = run;
    fd.world.github.faults.inject({ method: 'GET', path: COMMIT(next), ...githubFaults.serverError(502) });
    const said = await typedBy(fd, `dev ${shortSha(next)} worker`);
    expect(said).not.toMatch(/Something failed|:warning:/);
    expect(fd.world.github.faults.injected.map((f) => [f.path, f.status])).toEqual([[COMMIT(next), 502]]);
    expect(await gitopsCommits(fd.world, 'Deploy dev: worker')).toHaveLength(1);
    expect(await workerTagIn(fd.world, 'dev')).toBe(workerTag(next));
    expect((await fd.app.store.recentRequests(null, 10)).map((r) => r.state)).toEqual(['succeeded']);
  });

  it('a 502 on the checks of the commit is retried: one request, posted once', async () => {
    const { run, next } = await workerWorld({ devAt: 'next' });
    fd = run;
    fd.world.github.faults.inject({ method: 'GET', path: `${COMMIT(next)}/check-runs`, ...githubFaults.serverError(503) });
    const said = await typedBy(fd, `staging ${shortSha(next)} worker`);
    expect(said).not.toMatch(/Something failed|:warning:/);
    expect(fd.world.github.faults.injected.map((f) => f.status)).toEqual([503]);
    expect(requests(fd.world)).toHaveLength(1);
    expect(lastRequest(fd.world)!.shown).toContain('Retry failed jobs');
  });

  it('a short 429 on the commit is waited out', async () => {
    const { run, next } = await workerWorld();
    fd = run;
    fd.world.github.faults.inject({ method: 'GET', path: COMMIT(next), ...githubFaults.tooManyRequests(1) });
    const said = await typedBy(fd, `dev ${shortSha(next)} worker`);
    expect(said).not.toMatch(/rate-limiting|Something failed/);
    expect(fd.world.github.faults.injected.map((f) => f.status)).toEqual([429]);
    expect(await gitopsCommits(fd.world, 'Deploy dev: worker')).toHaveLength(1);
  });

  it('a long 429 on the checks of the commit is told as a rate limit; nothing changes, and asking again later works', async () => {
    const { run, next } = await workerWorld({ devAt: 'next' });
    fd = run;
    const before = await snapshot(fd);
    fd.world.github.faults.inject({ method: 'GET', path: `${COMMIT(next)}/check-runs`, times: Infinity, ...githubFaults.tooManyRequests(120) });
    const said = await typedBy(fd, `staging ${shortSha(next)} worker`);
    expect(said).toMatch(/GitHub is rate-limiting Flightdeck and asked it to wait 2m/);
    expect(said).not.toMatch(/Something failed/);
    expect(requests(fd.world)).toHaveLength(0);
    expect({ ...(await snapshot(fd)), requests: [] }).toEqual({ ...before, requests: [] });
    fd.world.github.faults.clear();
    await typedBy(fd, `staging ${shortSha(next)} worker`);
    expect(requests(fd.world)).toHaveLength(1);
  });

  it('a long primary rate limit on the commit is told with its wait', async () => {
    const { run, next } = await workerWorld();
    fd = run;
    fd.world.github.faults.inject({ method: 'GET', path: COMMIT(next), times: Infinity, ...githubFaults.rateLimit(600) });
    expect(await typedBy(fd, `dev ${shortSha(next)} worker`)).toMatch(/GitHub is rate-limiting Flightdeck and asked it to wait (9m \d+s|10m)/);
    expect(await gitopsCommits(fd.world, 'Deploy dev: worker')).toHaveLength(0);
  });

  // A GitHub server error that outlasts the retries is told as GitHub failing, with its status (it was "Something failed
  // on our side"). Without the retry plugin the same error arrives at once, which keeps this test fast.
  it('a 5xx that outlasts the retries is told as GitHub failing, not as our own failure; nothing changes', async () => {
    const { run, next } = await workerWorld({ resilient: false });
    fd = run;
    const before = await snapshot(fd);
    fd.world.github.faults.inject({ method: 'GET', path: COMMIT(next), times: Infinity, ...githubFaults.serverError(502) });
    const said = await typedBy(fd, `dev ${shortSha(next)} worker`);
    expect(await snapshot(fd)).toEqual(before);
    expect(said).toMatch(/GitHub kept failing for Flightdeck \(HTTP 502: .*\) through its retries\. Nothing was changed by this step/);
    expect(said).not.toMatch(/Something failed on our side/);
  });
});

describe('GitHub Deployments under faults', () => {
  const STATUSES = /^\/repos\/acme\/(backend|frontend)\/deployments\/\d+\/statuses$/;
  /** The test Octokit by default (no plugin retries nor write throttling, which spaces writes a second apart); `production` turns them on. */
  const withDeploymentsOn = (opts: { production?: boolean } = {}) => startFlightdeck({ config: withDeployments(EXAMPLE_CONFIG), options: { githubResilient: opts.production ?? false } });
  const states = (run: Running, repo: string) => run.world.github.deployments(repo).map((d) => d.statuses.map((s) => s.state));
  const REPOS = ['acme/backend', 'acme/frontend'];

  async function approved(run: Running) {
    await ask(run);
    const req = lastRequest(run.world)!;
    await run.click('deploy_approve', req.id, 'U0LEAD');
    await run.settled();
    return req;
  }

  /** The deploy itself is not touched by its deployments: it ends deployed, and the thread and the message say so. */
  async function expectDeployed(run: Running, req: { id: string; ts: string }) {
    expect((await run.app.store.getRequest(req.id))?.state).toBe('succeeded');
    const thread = threadOf(run.world, req.ts).join('\n');
    expect(thread).toMatch(/staging now runs `v3\.0\.0`/);
    expect(thread).not.toMatch(/Something failed|Failed/);
    expect(lastRequest(run.world)!.shown).toMatch(/now runs|succeeded/i);
  }

  it('a 5xx on a status post (not applied) is checked and sent again: every status there once (production Octokit)', async () => {
    fd = await withDeploymentsOn({ production: true });
    // the first status post of each repository (its in_progress) is answered 5xx and not applied
    fd.world.github.faults.inject({ method: 'POST', path: /^\/repos\/acme\/backend\/deployments\/\d+\/statuses$/, ...githubFaults.serverError(502) });
    fd.world.github.faults.inject({ method: 'POST', path: /^\/repos\/acme\/frontend\/deployments\/\d+\/statuses$/, ...githubFaults.serverError(503) });
    const req = await approved(fd);
    await expectDeployed(fd, req);
    expect(fd.world.github.faults.injected.map((f) => f.status).sort()).toEqual([502, 503]);
    for (const repo of REPOS) expect(states(fd, repo), repo).toEqual([['in_progress', 'success']]);
  });

  it('a status post applied whose answer was lost is recognised, not posted twice', async () => {
    fd = await withDeploymentsOn();
    for (let i = 0; i < 3; i++) fd.world.github.faults.inject({ method: 'POST', path: STATUSES, kind: 'lost' });
    const req = await approved(fd);
    await expectDeployed(fd, req);
    expect(fd.world.github.faults.injected.map((f) => f.kind)).toEqual(['lost', 'lost', 'lost']);
    for (const repo of REPOS) expect(states(fd, repo), repo).toEqual([['in_progress', 'success']]);
  });

  it('status posts failing for good: the deploy still completes and is told; no status is posted twice', async () => {
    fd = await withDeploymentsOn();
    fd.world.github.faults.inject({ method: 'POST', path: STATUSES, times: Infinity, ...githubFaults.serverError(502) });
    const req = await approved(fd);
    await expectDeployed(fd, req);
    for (const repo of REPOS) expect(states(fd, repo), repo).toEqual([[]]);
    // each status was tried twice at most (after a check that found it missing), never more
    expect(fd.world.github.faults.injected.filter((f) => f.method === 'POST')).toHaveLength(2 * 2 * REPOS.length);
  });

  it('a long rate limit on a status post leaves the deploy alone; that status is not retried, none is there twice', async () => {
    fd = await withDeploymentsOn({ production: true });
    fd.world.github.faults.inject({ method: 'POST', path: STATUSES, ...githubFaults.secondaryRateLimit(300) });
    const req = await approved(fd);
    await expectDeployed(fd, req);
    expect(fd.world.github.faults.injected.map((f) => f.status)).toEqual([403]);
    const seen = REPOS.flatMap((repo) => states(fd!, repo));
    expect(seen.flat().sort()).toEqual(['in_progress', 'success', 'success']);
    for (const statuses of seen) expect(new Set(statuses).size).toBe(statuses.length);
  });

  it('a 5xx on creating a deployment (not applied) is checked and asked again: one deployment, closed with the result', async () => {
    fd = await withDeploymentsOn();
    fd.world.github.faults.inject({ method: 'POST', path: '/repos/acme/backend/deployments', ...githubFaults.serverError(502) });
    const req = await approved(fd);
    await expectDeployed(fd, req);
    expect(fd.world.github.faults.injected.map((f) => [f.path, f.status])).toEqual([['/repos/acme/backend/deployments', 502]]);
    for (const repo of REPOS) expect(states(fd, repo), repo).toEqual([['in_progress', 'success']]);
  });

  // The sync step waits for every creation, failed or not: a slower sibling's deployment recorded after the run ended
  // would never get its success status (it stayed in_progress on GitHub for good).
  it('one deployment that cannot be created leaves the others to be closed with the result', async () => {
    fd = await withDeploymentsOn();
    fd.world.github.faults.inject({ method: 'POST', path: '/repos/acme/backend/deployments', times: Infinity, ...githubFaults.serverError(502) });
    fd.world.github.faults.inject({ method: 'POST', path: '/repos/acme/frontend/deployments', kind: 'slow', ms: 1_500 });
    const req = await approved(fd);
    await expectDeployed(fd, req);
    expect(fd.world.github.deployments('acme/backend')).toEqual([]);
    expect(states(fd, 'acme/frontend')).toEqual([['in_progress', 'success']]);
  });
});
