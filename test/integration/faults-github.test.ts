// Faults of the GitHub fake, met by the real Octokit with Flightdeck's production plugins: reads retried, writes never blindly
// retried, rate-limit waits only while short, every attempt bounded by a timeout. The source repositories adapter guards its
// deployment writes: after an answer that was lost or a 5xx it looks for what the write left, and writes once more only when
// nothing is there.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOctokit } from '../../src/adapters/github/octokit.js';
import { GitHubSourceRepos } from '../../src/adapters/github/sourceRepos.js';
import { githubFaults } from '../../src/sandbox/faults.js';
import { startGitHubFake, type GitHubFake } from '../../src/sandbox/github/server.js';

/** After each test: every fault it queued was hit (a test whose fault never fired proves nothing), and none is left. */
function everyFaultHit(fake: GitHubFake): void {
  const left = fake.faults.pending();
  fake.faults.clear();
  expect(left, 'every queued fault was hit').toBe(0);
}

const TOKEN = 'test-token';
const R = { owner: 'acme', repo: 'shop' };
const FILE = '/repos/acme/shop/contents/k8s/app.yaml';

async function failure(promise: Promise<unknown>): Promise<{ status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status?: number; message: string };
    return { status: e.status, message: e.message };
  }
  throw new Error('expected the call to fail');
}

async function timedMs<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await work();
  return { ms: Date.now() - started, value };
}

describe('GitHub fake faults with the production Octokit', () => {
  let fake: GitHubFake;
  let octokit: ReturnType<typeof createOctokit>;

  beforeAll(async () => {
    fake = await startGitHubFake({ token: TOKEN });
    octokit = createOctokit({ baseUrl: fake.url, auth: { token: TOKEN }, resilient: true, timeoutMs: 500 });
    await fake.createRepo('acme/shop', { 'README.md': '# shop\n', 'k8s/app.yaml': 'tag: v1\n' });
    await fake.tag('acme/shop', 'v1');
  });
  afterEach(() => everyFaultHit(fake));
  afterAll(async () => fake.close());

  const readFile = () => octokit.rest.repos.getContent({ ...R, path: 'k8s/app.yaml' });

  it('retries a read after a 502 and answers it', async () => {
    fake.faults.inject({ method: 'GET', path: FILE, ...githubFaults.serverError(502) });
    const { data } = await readFile();
    expect(data).toMatchObject({ path: 'k8s/app.yaml' });
    expect(fake.faults.injected.at(-1)).toMatchObject({ method: 'GET', path: FILE, kind: 'status', status: 502 });
  });

  it('does not retry a POST after a 502: the deployment is created once or not at all', async () => {
    fake.faults.inject({ method: 'POST', path: '/repos/acme/shop/deployments', ...githubFaults.serverError(502) });
    expect(await failure(octokit.rest.repos.createDeployment({ ...R, ref: 'v1', environment: 'staging', required_contexts: [] }))).toMatchObject({ status: 502 });
    expect(fake.deployments('acme/shop')).toHaveLength(0);
  });

  it('a lost answer to a POST leaves exactly one deployment, not a retried second one', async () => {
    fake.faults.inject({ method: 'POST', path: '/repos/acme/shop/deployments', kind: 'lost' });
    await failure(octokit.rest.repos.createDeployment({ ...R, ref: 'v1', environment: 'production', required_contexts: [] }));
    expect(fake.deployments('acme/shop').filter((d) => d.environment === 'production')).toHaveLength(1);
  });

  it('a lost answer to a contents PUT is applied in git once and reported to the caller as a failure', async () => {
    const { data } = await readFile();
    if (Array.isArray(data) || data.type !== 'file') throw new Error('expected a file');
    const before = await fake.log('acme/shop');
    fake.faults.inject({ method: 'PUT', path: FILE, kind: 'lost' });
    const put = octokit.rest.repos.createOrUpdateFileContents({ ...R, path: 'k8s/app.yaml', message: 'Set tag v2 (run fd-1)', content: Buffer.from('tag: v2\n').toString('base64'), sha: data.sha });
    expect((await failure(put)).status).toBe(500);
    const after = await fake.log('acme/shop');
    expect(after).toHaveLength(before.length + 1);
    expect(after[0]?.message).toContain('run fd-1');
    expect(await fake.readFile('acme/shop', 'k8s/app.yaml')).toBe('tag: v2\n');
  });

  it('waits out a short secondary rate limit (403 + Retry-After) and then answers', async () => {
    fake.faults.inject({ method: 'GET', path: FILE, ...githubFaults.secondaryRateLimit(1) });
    const { ms } = await timedMs(readFile);
    expect(ms).toBeGreaterThanOrEqual(900);
  });

  it('waits out a short 429 with Retry-After', async () => {
    fake.faults.inject({ method: 'GET', path: FILE, ...githubFaults.tooManyRequests(1) });
    const { ms } = await timedMs(readFile);
    expect(ms).toBeGreaterThanOrEqual(900);
  });

  it('does not wait out a long secondary rate limit: the call fails at once', async () => {
    fake.faults.inject({ method: 'GET', path: FILE, ...githubFaults.secondaryRateLimit(120) });
    const { ms, value } = await timedMs(() => failure(readFile()));
    expect(value).toMatchObject({ status: 403 });
    expect(value.message).toMatch(/secondary rate limit/);
    expect(ms).toBeLessThan(2_000);
  });

  it('does not wait for a primary rate limit that resets in an hour', async () => {
    fake.faults.inject({ method: 'GET', path: FILE, ...githubFaults.rateLimit(3_600) });
    const { ms, value } = await timedMs(() => failure(readFile()));
    expect(value).toMatchObject({ status: 403 });
    expect(ms).toBeLessThan(2_000);
  });

  it('gives up on a rate limit after two retries', async () => {
    fake.faults.inject({ method: 'GET', path: FILE, times: 3, ...githubFaults.secondaryRateLimit(1) });
    expect(await failure(readFile())).toMatchObject({ status: 403 });
    expect(fake.faults.injected.filter((f) => f.status === 403).length).toBeGreaterThanOrEqual(3);
  });

  it('a hung answer ends with a timeout, and a read is retried once it answers again', async () => {
    const plain = createOctokit({ baseUrl: fake.url, auth: { token: TOKEN }, resilient: false, timeoutMs: 300 });
    fake.faults.inject({ method: 'GET', path: '/repos/acme/shop', kind: 'hang' });
    const { ms, value } = await timedMs(() => failure(plain.rest.repos.get(R)));
    expect(value.status).toBe(500);
    expect(ms).toBeLessThan(2_000);
    fake.faults.inject({ method: 'GET', path: FILE, kind: 'hang' });
    const { data } = await readFile();
    expect(data).toMatchObject({ path: 'k8s/app.yaml' });
  });

  it('a slow answer within the timeout is simply slow', async () => {
    const patient = createOctokit({ baseUrl: fake.url, auth: { token: TOKEN }, resilient: false, timeoutMs: 2_000 });
    fake.faults.inject({ path: '/repos/acme/shop', kind: 'slow', ms: 400 });
    const { ms, value } = await timedMs(() => patient.rest.repos.get(R));
    expect(value.data.full_name).toBe('acme/shop');
    expect(ms).toBeGreaterThanOrEqual(380);
  });

  it('a reset before anything is applied leaves git as it was', async () => {
    const head = await fake.headSha('acme/shop');
    fake.faults.inject({ method: 'PUT', kind: 'reset' });
    const put = octokit.rest.repos.createOrUpdateFileContents({ ...R, path: 'k8s/new.yaml', message: 'Add', content: Buffer.from('x\n').toString('base64') });
    expect((await failure(put)).status).toBe(500);
    expect(await fake.headSha('acme/shop')).toBe(head);
  });
});

describe('GitHub Deployments through the source repositories adapter: writes guarded, never retried blindly', () => {
  let fake: GitHubFake;
  let sources: GitHubSourceRepos;
  const DEPLOYMENTS = '/repos/acme/shop/deployments';
  const input = (environment: string) => ({ ref: 'v1', environment, description: `Flightdeck fd-${environment}: shop v1` });

  beforeAll(async () => {
    fake = await startGitHubFake({ token: TOKEN });
    // without the plugins, so every fault reaches the adapter as it is
    sources = new GitHubSourceRepos(createOctokit({ baseUrl: fake.url, auth: { token: TOKEN }, resilient: false, timeoutMs: 500 }));
    await fake.createRepo('acme/shop', { 'README.md': '# shop\n' });
    await fake.tag('acme/shop', 'v1');
  });
  afterEach(() => everyFaultHit(fake));
  afterAll(async () => fake.close());

  const ofEnvironment = (environment: string) => fake.deployments('acme/shop').filter((d) => d.environment === environment);

  it('a creation whose answer was lost is found by its ref, environment and description: one deployment, its id', async () => {
    fake.faults.inject({ method: 'POST', path: DEPLOYMENTS, kind: 'lost' });
    const { id } = await sources.createDeployment('acme/shop', input('lost'));
    expect(ofEnvironment('lost').map((d) => d.id)).toEqual([id]);
  });

  it('a creation answered 502 and not applied is asked once more: one deployment', async () => {
    fake.faults.inject({ method: 'POST', path: DEPLOYMENTS, ...githubFaults.serverError(502) });
    const { id } = await sources.createDeployment('acme/shop', input('again'));
    expect(ofEnvironment('again').map((d) => d.id)).toEqual([id]);
  });

  it('when the check cannot be read either, nothing is written again: the error reaches the caller', async () => {
    fake.faults.inject({ method: 'POST', path: DEPLOYMENTS, kind: 'lost' });
    fake.faults.inject({ method: 'GET', path: DEPLOYMENTS, ...githubFaults.serverError(502) });
    expect((await failure(sources.createDeployment('acme/shop', input('unknown')))).status).toBe(500);
    expect(ofEnvironment('unknown')).toHaveLength(1);
  });

  it('a refusal is not retried', async () => {
    fake.faults.inject({ method: 'POST', path: DEPLOYMENTS, kind: 'status', status: 422, body: { message: 'Validation Failed' } });
    expect((await failure(sources.createDeployment('acme/shop', input('refused')))).status).toBe(422);
    expect(ofEnvironment('refused')).toHaveLength(0);
  });

  it('a status whose answer was lost is the newest status: not posted twice; a 5xx one is posted once more', async () => {
    const { id } = await sources.createDeployment('acme/shop', input('statuses'));
    const statuses = `${DEPLOYMENTS}/${id}/statuses`;
    fake.faults.inject({ method: 'POST', path: statuses, kind: 'lost' });
    await sources.setDeploymentStatus('acme/shop', id, 'in_progress', { description: 'syncing with Argo CD' });
    fake.faults.inject({ method: 'POST', path: statuses, ...githubFaults.serverError(503) });
    await sources.setDeploymentStatus('acme/shop', id, 'success', { description: 'x'.repeat(300) });
    expect(ofEnvironment('statuses')[0]!.statuses).toEqual([
      { state: 'in_progress', description: 'syncing with Argo CD' },
      { state: 'success', description: 'x'.repeat(140) },
    ]);
  });
});
