// Runs the real SqliteStore in worker threads, each with its own connection to one file, to race them for real.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ThreadResult {
  outcomes: Array<[string, string]>;
  timers: number[];
}

/**
 * Worker threads cannot load TypeScript, so the store module and the relative imports it reaches are
 * transpiled into a folder under node_modules (where `better-sqlite3` still resolves).
 */
function transpileStore(): { dir: string; entry: string } {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'flightdeck-store-'));
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  const pending = [join(root, 'src', 'adapters', 'store', 'sqlite.ts')];
  const done = new Set<string>();
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/from '(\.\.?\/[^']+)\.js'/g)) pending.push(resolve(dirname(file), `${match[1]}.ts`));
    const output = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
    const target = join(dir, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
  return { dir, entry: pathToFileURL(join(dir, 'src', 'adapters', 'store', 'sqlite.js')).href };
}

// Each worker waits at a gate until all are connected, then approves every request as its user while
// claiming timers in small batches in between, and finally drains the remaining timers.
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { SqliteStore } = await import(workerData.entry);
  const store = SqliteStore.open(workerData.path);
  const gate = new Int32Array(workerData.gate);
  Atomics.add(gate, 1, 1);
  Atomics.wait(gate, 0, 0);
  const outcomes = [];
  const timers = [];
  const claim = async () => { const batch = await store.claimDue(1e12, 3); timers.push(...batch.map((t) => t.id)); return batch.length; };
  for (const id of workerData.requestIds) {
    outcomes.push([id, (await store.approve(id, workerData.user, Date.now())).kind]);
    await claim();
  }
  while (await claim() > 0);
  await store.close();
  parentPort.postMessage({ outcomes, timers });
})().catch((err) => { throw err; });
`;

export async function raceOnOneFile(path: string, users: string[], requestIds: string[]): Promise<ThreadResult[]> {
  const { dir, entry } = transpileStore();
  const gate = new SharedArrayBuffer(8);
  const flags = new Int32Array(gate);
  try {
    const results = users.map(
      (user) =>
        new Promise<ThreadResult>((done, fail) => {
          const worker = new Worker(WORKER, { eval: true, workerData: { entry, path, user, requestIds, gate } });
          worker.once('message', (result: ThreadResult) => done(result));
          worker.once('error', fail);
          worker.once('exit', (code) => fail(new Error(`worker for ${user} exited with ${code} before answering`)));
        }),
    );
    while (Atomics.load(flags, 1) < users.length) await new Promise((r) => setTimeout(r, 5));
    Atomics.store(flags, 0, 1);
    Atomics.notify(flags, 0);
    return await Promise.all(results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
