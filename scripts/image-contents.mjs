// What the container image's runtime stage holds, built into a folder: the Dockerfile copies it, `npm run image:size` measures it.
//   node scripts/image-contents.mjs --out <dir>   builds the folder (the Dockerfile's build stage runs this)
//   node scripts/image-contents.mjs               builds it in a temporary folder, prints its size and removes it
// The runtime needs the esbuild bundle and better-sqlite3, the one dependency it cannot bundle (a native addon): its JS,
// its compiled .node file and the two small packages that locate it. Not the source map, not the addon's build objects,
// not the other production node_modules (the bundle already holds what it uses of them).
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './build.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

/** node_modules files the runtime loads, per package: better-sqlite3 requires `bindings`, which requires `file-uri-to-path`. */
const NATIVE = {
  'better-sqlite3': ['package.json', 'LICENSE', 'lib', 'build/Release/better_sqlite3.node'],
  bindings: ['package.json', 'LICENSE.md', 'bindings.js'],
  'file-uri-to-path': ['package.json', 'LICENSE', 'index.js'],
};

/** Builds the runtime folder at `out` (created; must not exist or be empty) and returns its files with their sizes. */
export async function buildImageContents(out) {
  await bundle();
  mkdirSync(out, { recursive: true });
  if (readdirSync(out).length > 0) throw new Error(`${out} is not empty`);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  // The bundle is an ES module named .js: the nearest package.json must say "type": "module"; nothing else of it is read.
  writeFileSync(join(out, 'package.json'), `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: 'module', main: 'dist/bundle/main.js' }, null, 2)}\n`);
  mkdirSync(join(out, 'dist/bundle'), { recursive: true });
  copyFileSync(join(root, 'dist/bundle/main.js'), join(out, 'dist/bundle/main.js'));
  for (const [name, paths] of Object.entries(NATIVE)) {
    for (const path of paths) {
      const from = join(root, 'node_modules', name, path);
      if (!existsSync(from)) throw new Error(`node_modules/${name}/${path} is missing: run npm ci (better-sqlite3 builds its addon on install)`);
      const to = join(out, 'node_modules', name, path);
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to, { recursive: true });
    }
  }
  return files(out).map((path) => ({ path: relative(out, path), bytes: statSync(path).size }));
}

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

const mb = (bytes) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} kB`);

/** One line per part and the total, as `npm run image:size` prints them. */
export function sizeReport(list) {
  const parts = new Map();
  for (const f of list) {
    const part = f.path.startsWith('node_modules/') ? f.path.split('/').slice(0, 2).join('/') : f.path.startsWith('dist/') ? 'dist/bundle (esbuild bundle)' : f.path;
    parts.set(part, (parts.get(part) ?? 0) + f.bytes);
  }
  const total = list.reduce((sum, f) => sum + f.bytes, 0);
  const lines = [...parts].sort((a, b) => b[1] - a[1]).map(([part, bytes]) => `  ${mb(bytes).padStart(8)}  ${part}`);
  return [`runtime stage, above the node base image: ${mb(total)} in ${list.length} files`, ...lines].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const keep = at > 0;
  const out = keep ? resolve(process.argv[at + 1] ?? '') : join(mkdtempSync(join(tmpdir(), 'flightdeck-image-')), 'app');
  try {
    const list = await buildImageContents(out);
    process.stdout.write(`${sizeReport(list)}\n${keep ? `written to ${out}` : '(built in a temporary folder, now removed)'}\n`);
  } finally {
    if (!keep) rmSync(dirname(out), { recursive: true, force: true });
  }
}
