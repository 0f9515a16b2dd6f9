// Builds Flightdeck. `node scripts/build.mjs` does both parts; `npm start` needs only the bundle.
//   bundle:  src/main.ts and what it imports -> dist/bundle/main.js (esbuild; the process people run)
//   compile: tsc -> dist/ (the sandbox and bench/ scripts, which import the fakes)
// Each part runs only when a file it reads is newer than its last build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const bundleEntry = join(root, 'dist/bundle/main.js');

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const item of readdirSync(path)) latest = Math.max(latest, newest(join(path, item)));
  return latest;
}

function stale(stamp, inputs) {
  return !existsSync(stamp) || statSync(stamp).mtimeMs < Math.max(...inputs.map((p) => newest(join(root, p))));
}

/**
 * One ES module holding the bot and the parts of its dependencies it uses (esbuild drops the rest: the Kubernetes
 * client's 60 generated API groups, for one). Loading a few MB instead of some 1,800 files from node_modules is what
 * keeps the idle process near 90 MB instead of 130 MB. Whitespace is minified, names are kept, so stack traces still
 * name functions; dist/bundle/main.js.map maps them back to src/ under `node --enable-source-maps`.
 * better-sqlite3 stays in node_modules: it is a native addon.
 */
export async function bundle({ force = false } = {}) {
  const stamp = join(root, 'dist/bundle/.stamp');
  if (!force && !stale(stamp, ['src', 'package.json', 'package-lock.json'])) return false;
  process.stderr.write('flightdeck: bundling (esbuild)…\n');
  const esbuild = await import('esbuild');
  // Built beside the old bundle, so a process starting meanwhile never reads half a file.
  const outdir = join(root, `dist/bundle.${process.pid}`);
  await esbuild.build({
    entryPoints: [join(root, 'src/main.ts')],
    // One file: code splitting (the Kubernetes client in a chunk loaded after the port opens) starts ~0.3 s sooner
    // but measured 10-20 MB more idle RSS, as the second parse fragments the heap of a running process.
    outfile: join(outdir, 'main.js'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    minifyWhitespace: true,
    legalComments: 'none',
    sourcemap: 'linked',
    logLevel: 'warning',
    // CommonJS dependencies inside an ES module still call require() for Node's built-ins.
    banner: { js: "import { createRequire as __flightdeckRequire } from 'node:module'; const require = __flightdeckRequire(import.meta.url);" },
  });
  // esbuild keeps a service process for further builds; `npm start` goes on to run the bot in this process.
  await esbuild.stop();
  writeFileSync(join(outdir, '.stamp'), new Date().toISOString());
  // File by file, each rename atomic: another `npm start` importing the bundle meanwhile reads the old or the new file.
  const final = join(root, 'dist/bundle');
  mkdirSync(final, { recursive: true });
  for (const file of ['main.js.map', 'main.js', '.stamp']) renameSync(join(outdir, file), join(final, file));
  rmSync(outdir, { recursive: true, force: true });
  return true;
}

export function compile({ force = false } = {}) {
  const stamp = join(root, 'dist/.build-stamp');
  if (!force && !stale(stamp, ['src', 'bench', 'tsconfig.json', 'tsconfig.build.json', 'package.json'])) return false;
  process.stderr.write('flightdeck: compiling (tsc)…\n');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  writeFileSync(stamp, new Date().toISOString());
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  if (!process.argv.includes('--bundle-only')) compile({ force });
  await bundle({ force });
}
