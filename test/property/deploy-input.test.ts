// Properties of /deploy, /rollback and /canary-status over hostile text in every argument, through signed slash commands: each
// is answered with a specific refusal (never "Something failed"), nothing reaches Slack as a control sequence, and a refused
// command changes nothing (git, overlays, cluster, requests, locks). A lock reason is kept as text and shown inert.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlightdeck, type Running } from '../support/harness.js';
import { hostileText, hostileWord, injectedSequences, markSlack, PROPERTY_TIMEOUT_MS, RUNS, slackTextsSince, snapshot, typed } from '../support/hostile-text.js';

const KNOWN = new Set(['dev', 'staging', 'production', 'prod', 'all', 'status', 'history', 'lock', 'unlock', 'help', 'backend', 'frontend', 'v2.9.0', 'v3.0.0']);
const word = hostileWord.filter((w) => !KNOWN.has(w.toLowerCase()));

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

/** Types the command and checks the refusal: specific, not injected, and nothing changed. Returns what was said. */
async function refused(run: Running, text: string, opts: { command?: string } = {}): Promise<string> {
  const before = await snapshot(run);
  const mark = markSlack(run);
  const { said, status } = await typed(run, text, 'U0DEV', opts);
  expect(status).toBe(200);
  expect(said).toMatch(/:warning:/);
  expect(said).not.toMatch(/Something failed/);
  expect(injectedSequences(slackTextsSince(run, mark))).toEqual([]);
  expect(await snapshot(run)).toEqual(before);
  return said;
}

describe('hostile /deploy arguments', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('versions: refused as not a valid tag, not semver or not found', async () => {
    fd = await startFlightdeck();
    const run = fd;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('staging', 'production', 'prod'), word, async (env, version) => {
        await refused(run, `${env} ${version}`);
      }),
      RUNS,
    );
  });

  it('environment names: refused naming the known environments', async () => {
    fd = await startFlightdeck();
    const run = fd;
    await fc.assert(
      fc.asyncProperty(word, async (env) => {
        const said = await refused(run, `${env} v3.0.0`);
        expect(said).toMatch(/staging/);
      }),
      RUNS,
    );
  });

  it('app names: refused naming the known apps', async () => {
    fd = await startFlightdeck();
    const run = fd;
    await fc.assert(
      fc.asyncProperty(fc.array(word, { minLength: 1, maxLength: 3 }), async (apps) => {
        const said = await refused(run, `staging v3.0.0 ${apps.join(' ')}`);
        expect(said).toMatch(/backend/);
      }),
      RUNS,
    );
  });

  it('lock durations and reasons: a lock shows its reason as inert text, a bad duration is refused; git and cluster untouched', async () => {
    fd = await startFlightdeck();
    const run = fd;
    let locked = 0;
    const duration = fc.oneof(fc.constantFrom('15m', '2h', '1d', '999999999d', '1e9h', '-5m', '0s', '1.5h', '366d', '10y', '9'.repeat(400) + 's'), word);
    await fc.assert(
      fc.asyncProperty(duration, hostileText, async (dur, reason) => {
        const head = await run.world.github.headSha('acme/gitops');
        const writes = run.world.kube.calls.length;
        const mark = markSlack(run);
        const { said } = await typed(run, `lock staging for ${dur} ${reason}`, 'U0LEAD');
        expect(said).not.toMatch(/Something failed/);
        expect(injectedSequences(slackTextsSince(run, mark))).toEqual([]);
        const locks = await run.app.store.listLocks();
        if (locks.length > 0) {
          locked += 1;
          expect(said).toMatch(/locked/i);
          await typed(run, 'unlock staging', 'U0LEAD');
          expect(await run.app.store.listLocks()).toEqual([]);
        } else {
          expect(said).toMatch(/:warning:/);
        }
        expect(await run.world.github.headSha('acme/gitops')).toBe(head);
        expect(run.world.kube.calls.slice(writes).filter((c) => c.method !== 'GET')).toEqual([]);
        // a later read still works whatever was stored
        expect((await typed(run, 'status', 'U0DEV')).said).toMatch(/staging/);
      }),
      { ...RUNS, numRuns: 8 },
    );
    // the property saw locks taken with hostile reasons, not only refused durations
    expect(locked).toBeGreaterThan(0);
  });
});

describe('hostile /rollback and /canary-status arguments', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('/rollback environments and versions: refused, nothing changed', async () => {
    fd = await startFlightdeck();
    const run = fd;
    await fc.assert(
      fc.asyncProperty(fc.oneof(word, fc.constantFrom('staging', 'production')), word, async (env, version) => {
        await refused(run, `${env} ${version}`, { command: '/rollback' });
      }),
      RUNS,
    );
  });

  it('/canary-status environments and apps: refused, nothing changed', async () => {
    fd = await startFlightdeck();
    const run = fd;
    await fc.assert(
      fc.asyncProperty(fc.oneof(word, fc.constantFrom('production', 'staging')), word, async (env, app) => {
        await refused(run, `${env} ${app}`, { command: '/canary-status' });
      }),
      RUNS,
    );
  });
});
