// The example config, plus a commit-versioned app, for the domain unit tests.
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/loader.js';
import type { Config } from '../../src/config/schema.js';

const EXAMPLE = readFileSync(new URL('../../examples/flightdeck.yaml', import.meta.url), 'utf8');

const WORKER = `  - name: worker
    image: ghcr.io/acme/worker
    source: acme/shop
    versions: commits
    tagPrefix: sha-
`;

/** The shipped example config, with `worker` (versions: commits, tagPrefix sha-) added to the apps. */
export function exampleConfig(): Config {
  return parseConfig(EXAMPLE.replace('\nenvironments:', `\n${WORKER}\nenvironments:`), 'example').config;
}
