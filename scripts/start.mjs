// `npm start`: builds with tsc only when a source file is newer than the build, then runs the bot in this process.
import { execFileSync } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = join(root, 'dist/src/main.js');
const stamp = join(root, 'dist/.build-stamp');

function newest(dir) {
  let latest = 0;
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    latest = Math.max(latest, item.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'bench')), statSync(join(root, 'tsconfig.json')).mtimeMs, statSync(join(root, 'package.json')).mtimeMs);
if (!existsSync(entry) || !existsSync(stamp) || statSync(stamp).mtimeMs < sources) {
  process.stderr.write('flightdeck: building (tsc)…\n');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  writeFileSync(stamp, new Date().toISOString());
}
if (process.argv.includes('--build-only')) process.exit(0);

// V8 tuned for a mostly idle bot: smaller heap growth steps (about 25 MB less RSS); must be set before the app loads.
setFlagsFromString('--optimize-for-size');
// Run the bot in this process, so SIGTERM reaches it directly and no second Node process costs memory.
await import(pathToFileURL(entry).href);
