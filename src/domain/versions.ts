// What a version may be (OCI tag, semver where required, commit sha for commit-versioned apps) and how it maps to image tags and git refs.
import semver from 'semver';
import type { AppConfig, EnvironmentConfig } from './config.js';
import { UserError } from './errors.js';

const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const COMMIT_SHA = /^[0-9a-f]{7,40}$/i;

/** True for a valid OCI image tag. */
export function isOciTag(text: string): boolean {
  return OCI_TAG.test(text);
}

/** True for a strict semver version, with or without a leading "v" (v3.0.0, 3.0.0-rc.1); never a range. */
export function isSemverTag(text: string): boolean {
  return /^v?\d/.test(text) && semver.valid(text, { loose: false }) !== null;
}

/** True for an abbreviated or full commit sha (7 to 40 hex digits). */
export function isCommitSha(text: string): boolean {
  return COMMIT_SHA.test(text);
}

/** The sha a version of a commit-versioned app names (the tag prefix removed), or null when it names none. */
export function commitOf(app: AppConfig, version: string): string | null {
  const bare = app.tagPrefix && version.startsWith(app.tagPrefix) ? version.slice(app.tagPrefix.length) : version;
  return isCommitSha(bare) ? bare : null;
}

/**
 * Checks a version for an environment and the apps it would deploy; throws UserError saying what is wrong.
 * Every version must be an OCI tag; commit-versioned apps need a sha (optionally with their tagPrefix);
 * tag-versioned apps need semver where the environment says so.
 */
export function checkVersion(version: string, env: EnvironmentConfig, apps: AppConfig[]): void {
  if (!isOciTag(version)) {
    throw new UserError({ code: 'bad-tag', version });
  }
  for (const app of apps) {
    if (app.versions === 'commits') {
      if (commitOf(app, version) === null) {
        throw new UserError({ code: 'not-a-commit', version, app: app.name, source: app.source, example: `${app.tagPrefix}3f9c2a1` });
      }
      if (env.versionPattern === 'semver') {
        throw new UserError({ code: 'not-semver', version, env: env.name, app: app.name });
      }
    } else if (env.versionPattern === 'semver' && !isSemverTag(version)) {
      throw new UserError({ code: 'not-semver', version, env: env.name });
    }
  }
}

/** The image tag the overlay gets: the version, or for commit-versioned apps the tag prefix and the sha. */
export function imageTagFor(app: AppConfig, version: string): string {
  if (app.versions !== 'commits') return version;
  const sha = commitOf(app, version);
  return sha === null ? version : `${app.tagPrefix}${sha.toLowerCase()}`;
}

/** The git ref that names the version in the app's source repository: the tag, or the bare sha. */
export function refFor(app: AppConfig, version: string): string {
  if (app.versions !== 'commits') return version;
  return commitOf(app, version)?.toLowerCase() ?? version;
}

/** The version an image tag stands for (the inverse of imageTagFor), for showing and comparing what runs. */
export function versionOfTag(app: AppConfig, tag: string): string {
  if (app.versions === 'commits' && app.tagPrefix && tag.startsWith(app.tagPrefix)) return tag.slice(app.tagPrefix.length);
  return tag;
}
