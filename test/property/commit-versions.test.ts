// Properties of versions for an app whose images are tagged by commit (worker: versions commits, tagPrefix sha-), through
// signed slash commands. Hostile text where its commit belongs (non-hex, too short or too long, mrkdwn control sequences,
// unicode look-alikes, YAML and shell metacharacters, newlines, near misses of a real commit) is refused with a specific
// answer, never "Something failed", nothing reaches Slack as a control sequence, and nothing changes (git, overlays, cluster,
// requests). Every real spelling of a commit (7 to 40 hex digits, either case, with or without the prefix) deploys as the
// one image tag it names, and the overlay changes only in that tag.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { startFlightdeck, type Running } from '../support/harness.js';
import { overlayPath, seedWorker, WORKER_CONFIG, workerTag, workerTagIn, type WorkerCommits } from '../support/commit-app.js';
import { CONTROL_SEQUENCES, hostileText, hostileWord, injectedSequences, markSlack, PROPERTY_TIMEOUT_MS, RUNS, slackTextsSince, snapshot, typed } from '../support/hostile-text.js';

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

const HEX = /^[0-9a-f]{7,40}$/i;
/**
 * What may follow a real commit and make the word no commit. Never a blank of any kind (U+FEFF and U+00A0 separate words
 * like a space): the commit would stand alone, and that is a real command.
 */
const SUFFIXES = ['g', 'z', '!', '.', '-', '_', '..', ':', ': pwned', '#x', '&&id', '$(id)', '`id`', "'", '"', '\u200b', '\u202e', '\u2060', 'é', '０', 'а', ...CONTROL_SEQUENCES];
const LOOKALIKES = ['０１２３４５６', 'аbcdef1', 'ABCDEFG', 'sha-', 'sha-sha-abcdef1', 'SHA-abcdef1', 'sha_abcdef1', 'sha:abcdef1', '0x1234567', '1e12345', 'null', 'true', '~', '*', '&anchor'];

/** Words a person might type where worker's commit belongs; none names a commit of acme/worker. */
function notACommit(commits: WorkerCommits): fc.Arbitrary<string> {
  const real = fc.constantFrom(commits.old, commits.next).chain((sha) => fc.integer({ min: 7, max: 40 }).map((n) => sha.slice(0, n)));
  return fc.oneof(
    // general hostile words, bare or behind the prefix
    { arbitrary: hostileWord, weight: 3 },
    { arbitrary: hostileWord.map((w) => `sha-${w}`), weight: 2 },
    // hex, but too short or too long (also behind the prefix)
    { arbitrary: fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9a-f]{1,6}$/)).map(([p, h]) => (p ? `sha-${h}` : h)), weight: 1 },
    { arbitrary: fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9a-fA-F]{41,90}$/)).map(([p, h]) => (p ? `sha-${h}` : h)), weight: 1 },
    // a real commit spoiled by what follows it, glued or after a newline
    { arbitrary: fc.tuple(real, fc.constantFrom(...SUFFIXES), fc.constantFrom('', '\n', '\r\n')).map(([sha, bad, gap]) => `${sha}${gap}${bad}`), weight: 3 },
    { arbitrary: fc.tuple(fc.constantFrom('', 'sha-'), real, fc.constantFrom(...SUFFIXES)).map(([p, sha, bad]) => `${bad}${p}${sha}`), weight: 1 },
    // look-alikes, and very long text
    { arbitrary: fc.constantFrom(...LOOKALIKES), weight: 1 },
    { arbitrary: hostileText.filter((t) => t.trim().length > 0), weight: 1 },
  );
}

/** The specific answers a hostile commit may get (each names what is wrong). */
const SPECIFIC = [
  /is not a valid image tag/,
  /is not a commit of acme\/worker: worker is versioned by commit SHA, so give 7 to 40 hex digits such as `sha-3f9c2a1`/,
  // with no app named, a version that is a tag of the other apps is looked up as worker's commit too
  /worker: acme\/worker has no commit `[^`]+`/,
  /must run in dev before it is promoted further/,
  /already runs `[^`]+` \(worker\) in git/,
  /is not a semver tag such as v3\.0\.0 \(production requires semver, and worker is versioned by commit\)/,
  /Unknown apps? /,
  /never ran `[^`]+` for worker/,
  /(backend|frontend): acme\/(backend|frontend) has no tag/,
];

/** Types the command: refused specifically, nothing injected into Slack, nothing changed. Returns what was said. */
async function refused(run: Running, text: string, command = '/deploy'): Promise<string> {
  const before = await snapshot(run);
  const mark = markSlack(run);
  const { said, status } = await typed(run, text, 'U0DEV', { command });
  expect(status).toBe(200);
  expect(said).toMatch(/:warning:/);
  expect(said).not.toMatch(/Something failed/);
  expect(SPECIFIC.some((s) => s.test(said)), said).toBe(true);
  expect(injectedSequences(slackTextsSince(run, mark))).toEqual([]);
  expect(await snapshot(run)).toEqual(before);
  return said;
}

describe('hostile commit versions of an app versioned by commit', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('/deploy <env> <hostile> worker: refused as no image tag, no commit, not semver or not found; nothing changed', async () => {
    fd = await startFlightdeck({ config: WORKER_CONFIG });
    const run = fd;
    const commits = await seedWorker(run.world, { devAt: 'next' });
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('dev', 'staging', 'production'), notACommit(commits), async (env, version) => {
        const said = await refused(run, `${env} ${version} worker`);
        if (/is not a commit of acme\/worker/.test(said)) seen.add('not-a-commit');
        if (/is not a valid image tag/.test(said)) seen.add('bad-tag');
      }),
      { ...RUNS, numRuns: 16 },
    );
    // the property met both refusals of a commit's form, not only one
    expect([...seen].sort()).toEqual(['bad-tag', 'not-a-commit']);
    expect(await workerTagIn(run.world, 'staging')).toBe(workerTag(commits.old));
  });

  it('hex that names no commit of the repository: looked up, refused as not found; nothing changed', async () => {
    fd = await startFlightdeck({ config: WORKER_CONFIG });
    const run = fd;
    const commits = await seedWorker(run.world, { devAt: 'next' });
    const known = [commits.old, commits.next];
    const unknownHex = fc.stringMatching(/^[0-9a-fA-F]{7,40}$/).filter((h) => !known.some((sha) => sha.startsWith(h.toLowerCase())));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('dev', 'staging'), fc.constantFrom('', 'sha-'), unknownHex, async (env, prefix, hex) => {
        const said = await refused(run, `${env} ${prefix}${hex} worker`);
        expect(said).toContain(`worker: acme/worker has no commit \`${hex.toLowerCase()}\``);
      }),
      RUNS,
    );
  });

  it('/deploy <env> <hostile> with no app named, and /rollback <env> <hostile> worker: refused; nothing changed', async () => {
    fd = await startFlightdeck({ config: WORKER_CONFIG });
    const run = fd;
    const commits = await seedWorker(run.world, { devAt: 'next' });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/deploy', '/rollback'), fc.constantFrom('dev', 'staging'), notACommit(commits), async (command, env, version) => {
        await refused(run, command === '/deploy' ? `${env} ${version}` : `${env} ${version} worker`, command);
      }),
      RUNS,
    );
  });
});

describe('real spellings of a commit', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('7 to 40 hex digits, either case, with or without the prefix: deploys the one image tag it names, only that line changes', async () => {
    fd = await startFlightdeck({ config: WORKER_CONFIG });
    const run = fd;
    const commits = await seedWorker(run.world);
    const used = new Set([workerTag(commits.old)]);
    let deployed = 0;
    const spelling = fc.record({
      sha: fc.constantFrom(commits.old, commits.next),
      length: fc.integer({ min: 7, max: 40 }),
      upper: fc.boolean(),
      prefixed: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(spelling, async ({ sha, length, upper, prefixed }) => {
        const tag = `sha-${sha.slice(0, length)}`;
        fc.pre(!used.has(tag));
        used.add(tag);
        const hex = upper ? sha.slice(0, length).toUpperCase() : sha.slice(0, length);
        expect(hex).toMatch(HEX);
        const before = (await run.world.github.readFile('acme/gitops', overlayPath('dev')))!;
        const mark = markSlack(run);
        const { said } = await typed(run, `dev ${prefixed ? 'sha-' : ''}${hex} worker`, 'U0DEV');
        expect(said).not.toMatch(/Something failed|:warning:/);
        expect(injectedSequences(slackTextsSince(run, mark))).toEqual([]);
        const after = (await run.world.github.readFile('acme/gitops', overlayPath('dev')))!;
        expect(after).toBe(before.replace(/(name: ghcr\.io\/acme\/worker\n\s+newTag: )\S+/, `$1${tag}`));
        const [last] = await run.world.github.log('acme/gitops', { path: overlayPath('dev') });
        expect(last!.message).toMatch(new RegExp(`^Deploy dev: worker sha-[0-9a-f]+ -> ${tag}\\n`));
        deployed += 1;
      }),
      { ...RUNS, numRuns: 6 },
    );
    expect(deployed).toBeGreaterThan(0);
    // the other overlays were never touched
    expect(await workerTagIn(run.world, 'staging')).toBe(workerTag(commits.old));
  });
});
