// End to end with the production Octokit (throttling and retry on): GitHub rate limits met during a request and during its
// commit. A short wait is waited out and the work done once; a long one is said to the person as a rate limit, nothing changes,
// and the same command works once GitHub answers again.
import { afterEach, describe, expect, it } from 'vitest';
import { githubFaults } from '../../src/sandbox/faults.js';
import { kustomization } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
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
