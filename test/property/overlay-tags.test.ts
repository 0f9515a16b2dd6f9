// Property of the overlay commit over valid but treacherous image tags (ones YAML would read as numbers, booleans, dates or
// null when written plain): a deploy to dev changes the overlay only in its newTag values, each reads back as the exact
// string deployed, and the commit message names the version as typed.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kustomization } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { injectedSequences, markSlack, PROPERTY_TIMEOUT_MS, RUNS, slackTextsSince, typed } from '../support/hostile-text.js';

const DEV = 'k8s/overlays/dev/kustomization.yaml';
const TREACHEROUS = ['1.10', '1e3', '0x1F', 'true', 'no', 'null', 'NaN', '08', '1_000', '0o17', 'Infinity', 'y', 'on', '1.0', '123', '2024-01-01', 'Yes', 'FALSE', '_', '9'.repeat(40)];
/** A valid OCI tag git also takes as a tag name. */
const tag = fc
  .oneof(fc.constantFrom(...TREACHEROUS), fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,24}$/))
  .filter((t) => !/\.\.|\.lock$|\.$|^v3\.0\.0$/.test(t));

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

/** The overlay's lines, with each newTag value replaced by a placeholder. */
const shape = (text: string) => text.split('\n').map((line) => line.replace(/^(\s*newTag:\s*)(.*?)(\s*(#.*)?)$/, '$1<tag>$3'));

describe('image tags in the overlay', { timeout: PROPERTY_TIMEOUT_MS }, () => {
  it('a deploy changes only newTag, and each reads back as the exact string deployed', async () => {
    fd = await startFlightdeck();
    const run = fd;
    const used = new Set<string>();
    let deployed = 0;
    await fc.assert(
      fc.asyncProperty(tag, async (version) => {
        fc.pre(!used.has(version));
        used.add(version);
        for (const app of ['backend', 'frontend']) {
          const sha = await run.world.github.headSha(`acme/${app}`);
          await run.world.github.tag(`acme/${app}`, version, sha);
        }
        const before = (await run.world.github.readFile('acme/gitops', DEV))!;
        const mark = markSlack(run);
        const { said } = await typed(run, `dev ${version}`, 'U0DEV');
        expect(said).not.toMatch(/Something failed/);
        expect(injectedSequences(slackTextsSince(run, mark))).toEqual([]);
        const after = (await run.world.github.readFile('acme/gitops', DEV))!;
        expect(shape(after)).toEqual(shape(before));
        const images = (parse(after) as { images: Array<{ name: string; newTag: unknown }> }).images;
        expect(images.map((i) => i.newTag)).toEqual([version, version]);
        const [last] = await run.world.github.log('acme/gitops', { path: DEV });
        expect(last!.message).toContain(`-> ${version}`);
        deployed += 1;
      }),
      { ...RUNS, numRuns: 8 },
    );
    expect(deployed).toBeGreaterThan(0);
    // the other overlays were never touched
    expect(await run.world.github.readFile('acme/gitops', 'k8s/overlays/staging/kustomization.yaml')).toBe(kustomization('staging', 'v2.9.0', 'v2.9.0'));
  });
});
