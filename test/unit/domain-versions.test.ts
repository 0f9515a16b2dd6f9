// Versions: OCI tags, semver where required, commit SHAs, and their image tags and git refs.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.js';
import { checkVersion, imageTagFor, isCommitSha, isOciTag, isSemverTag, refFor, versionOfTag } from '../../src/domain/versions.js';
import { exampleConfig } from '../support/domain-fixtures.js';
import { said } from '../support/refusals.js';

const config = exampleConfig();
const app = (name: string) => config.apps.find((a) => a.name === name)!;
const env = (name: string) => config.environments.find((e) => e.name === name)!;

describe('versions', () => {
  it('knows an OCI tag', () => {
    for (const ok of ['v3.0.0', 'latest', '_x', 'a'.repeat(128), '3f9c2a1', 'sha-abc']) expect(isOciTag(ok)).toBe(true);
    for (const bad of ['', '-x', '.x', 'a'.repeat(129), 'v1+build', 'a b', 'a/b', 'a:b']) expect(isOciTag(bad)).toBe(false);
  });

  it('knows strict semver, with or without v, never a range', () => {
    for (const ok of ['v3.0.0', '3.0.0', 'v3.0.0-rc.1']) expect(isSemverTag(ok)).toBe(true);
    for (const bad of ['v3.0', '3', '^3.0.0', '3.0.x', '=3.0.0', 'v03.0.0', 'latest']) expect(isSemverTag(bad)).toBe(false);
  });

  it('knows a commit sha', () => {
    expect(isCommitSha('3f9c2a1')).toBe(true);
    expect(isCommitSha('3f9c2a1'.padEnd(40, '0'))).toBe(true);
    expect(isCommitSha('3f9c2a')).toBe(false);
    expect(isCommitSha('3f9c2ag')).toBe(false);
  });

  it('checks a version for an environment and its apps', () => {
    expect(() => checkVersion('v3.0.0', env('production'), [app('backend'), app('frontend')])).not.toThrow();
    expect(() => checkVersion('nightly-42', env('staging'), [app('backend')])).not.toThrow();
    expect(said(() => checkVersion('v3.0', env('production'), [app('backend')]))).toBe('"v3.0" is not a semver tag such as v3.0.0 (production requires semver).');
    expect(said(() => checkVersion('v3 .0', env('dev'), [app('backend')]))).toMatch(/is not a valid image tag/);
  });

  it('needs a sha for commit-versioned apps, with or without their prefix', () => {
    expect(() => checkVersion('3f9c2a1', env('dev'), [app('worker')])).not.toThrow();
    expect(() => checkVersion('sha-3f9c2a1', env('dev'), [app('worker')])).not.toThrow();
    expect(said(() => checkVersion('v3.0.0', env('dev'), [app('worker')]))).toMatch(/worker is versioned by commit SHA, so give 7 to 40 hex digits such as `sha-3f9c2a1`/);
    expect(said(() => checkVersion('3f9c2a1', env('production'), [app('worker')]))).toMatch(/production requires semver/);
  });

  it('maps versions to image tags and git refs', () => {
    expect(imageTagFor(app('backend'), 'v3.0.0')).toBe('v3.0.0');
    expect(refFor(app('backend'), 'v3.0.0')).toBe('v3.0.0');
    expect(imageTagFor(app('worker'), '3F9C2A1')).toBe('sha-3f9c2a1');
    expect(imageTagFor(app('worker'), 'sha-3f9c2a1')).toBe('sha-3f9c2a1');
    expect(refFor(app('worker'), 'sha-3f9c2a1')).toBe('3f9c2a1');
    expect(refFor(app('worker'), '3f9c2a1')).toBe('3f9c2a1');
    expect(versionOfTag(app('worker'), 'sha-3f9c2a1')).toBe('3f9c2a1');
    expect(versionOfTag(app('backend'), 'v1.0.0')).toBe('v1.0.0');
  });
});
