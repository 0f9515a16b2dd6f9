// Measures a two-app staging promotion against the fakes with injected latency, the slash-command ack under load
// (beside a bare Bolt app), start-to-ready and idle RSS. Prints numbers; it asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { callsSince, promoteStaging, until } from '../src/sandbox/promotion.js';
import { postToSlackEndpoint, slashCommandBody } from '../src/sandbox/slack/requests.js';
import { SIGNING_SECRET, startWorld, type World } from '../src/sandbox/world.js';

const LATENCY = { github: 80, kube: 30, slack: 30 };
const root = fileURLToPath(new URL('../..', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function startProcess(script: string, env: Record<string, string>, port: number, readyPath: string, ready: (status: number) => boolean = (s) => s === 200): Promise<{ child: ChildProcess; readyMs: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  await until(async () => {
    const res = await fetch(`http://127.0.0.1:${port}${readyPath}`).catch(() => null);
    return res !== null && ready(res.status);
  }, 20_000, 5);
  return { child, readyMs: performance.now() - started };
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(/(\d+)/.exec(line)![1]) / 1024;
}

async function ackLoad(url: string, world: World, text: string, perSecond: number, count: number): Promise<number[]> {
  const times: number[] = [];
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const body = slashCommandBody({ command: '/deploy', text, userId: 'U0LOAD', channelId: 'C0LOAD', responseUrl: world.slack.responseUrl() });
    sends.push(postToSlackEndpoint(`${url}/slack/events`, SIGNING_SECRET, body).then((r) => void times.push(r.ms)));
    await new Promise((r) => setTimeout(r, 1000 / perSecond));
  }
  await Promise.all(sends);
  return times.sort((a, b) => a - b);
}

/** Sequential round trips among calls: the longest chain in which each call starts after the previous one ended. */
function roundTrips(calls: Array<{ startedAt?: number | undefined; endedAt?: number | undefined }>): number {
  const sorted = [...calls].sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
  const depth: number[] = [];
  sorted.forEach((call, i) => {
    depth[i] = 1 + Math.max(0, ...sorted.slice(0, i).map((prev, j) => ((prev.endedAt ?? Infinity) <= (call.startedAt ?? 0) ? depth[j]! : 0)));
  });
  return Math.max(0, ...depth);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (n: number) => `${n.toFixed(0)} ms`;
const time = (n: number) => `time = ${(n / LATENCY.github).toFixed(1)} x GitHub latency`;

/** Idle RSS of the process as `npm start` runs it; it varies by a few MB from one start to the next (where glibc's malloc
 * happens to keep the memory freed after loading), so it is read after several separate starts. */
async function idleRss(world: World, starts: number, env: Record<string, string>): Promise<{ readyMs: number[]; rss: number[] }> {
  const readyMs: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < starts; i++) {
    const port = await freePort();
    const run = await startProcess(`${root}/scripts/start.mjs`, { ...world.env, ...env, LOG_LEVEL: 'warn' }, port, '/readyz');
    await new Promise((r) => setTimeout(r, 2_000));
    readyMs.push(run.readyMs);
    rss.push(rssMb(run.child.pid!));
    run.child.kill('SIGTERM');
    await new Promise((r) => run.child.once('exit', r));
  }
  return { readyMs: readyMs.sort((a, b) => a - b), rss: rss.sort((a, b) => a - b) };
}

async function main(): Promise<void> {
  const world = await startWorld({ latency: LATENCY });
  // `npm start` runs scripts/start.mjs with MALLOC_ARENA_MAX=2 (package.json); the bench starts it the same way.
  const npmStart = { MALLOC_ARENA_MAX: '2' };
  const starts = await idleRss(world, 5, npmStart);
  const glibcDefaults = await idleRss(world, 3, {});

  const port = await freePort();
  const { child } = await startProcess(`${root}/scripts/start.mjs`, { ...world.env, ...npmStart, LOG_LEVEL: 'warn' }, port, '/readyz');
  const url = `http://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 2_000));

  // One two-app staging promotion, step by step.
  const run = await promoteStaging(url, world);
  const requestCalls = callsSince(world, run.beforeCommand, run.beforeApprove);
  const requestTrips = roundTrips(world.github.calls.slice(run.beforeCommand.github, run.beforeApprove.github));
  const commitCalls = world.github.calls.slice(run.beforeApprove.github);
  const commitTrips = roundTrips(commitCalls.slice(0, commitCalls.findIndex((c) => c.method === 'PUT' && c.status < 300) + 1));
  // approve -> sync requested: the GitHub chain up to the commit, then the Kubernetes chain up to the accepted sync write
  const kubeAfter = world.kube.calls.slice(run.beforeApprove.kube).filter((c) => !c.path.includes('watch') && c.query?.includes('watch=') !== true);
  const syncWrite = kubeAfter.findIndex((c) => c.method === 'PATCH' && (c.body as { operation?: unknown } | undefined)?.operation && (c.status ?? 0) < 300);
  const putEnded = commitCalls.find((c) => c.method === 'PUT' && c.status < 300)?.endedAt ?? 0;
  const syncKubeTrips = roundTrips(kubeAfter.slice(0, syncWrite + 1).filter((c) => (c.startedAt ?? 0) >= putEnded));
  const total = callsSince(world, run.beforeCommand);
  const afterApprove = callsSince(world, run.beforeApprove);
  await new Promise((r) => setTimeout(r, 2_000));
  const rssAfter = rssMb(child.pid!);

  // Ack latency under 100 commands/s, Flightdeck beside a bare Bolt app.
  const barePort = await freePort();
  const bare = await startProcess(`${root}/dist/bench/bareBolt.js`, world.env, barePort, '/slack/events', () => true).catch(() => null);
  const loadCount = 300;
  const fdAcks = await ackLoad(url, world, 'staging v3.0.0', 100, loadCount);
  const bareAcks = bare ? await ackLoad(`http://127.0.0.1:${barePort}`, world, 'staging v3.0.0', 100, loadCount) : [];

  const mb = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(', ');
  const lines = [
    `Flightdeck bench: two-app staging promotion, latency GitHub ${LATENCY.github} ms, Kubernetes ${LATENCY.kube} ms, Slack ${LATENCY.slack} ms`,
    `start to ready            median ${ms(pct(starts.readyMs, 50))}, max ${ms(pct(starts.readyMs, 100))} over ${starts.readyMs.length} starts`,
    `idle RSS                  median ${pct(starts.rss, 50).toFixed(1)} MB, max ${pct(starts.rss, 100).toFixed(1)} MB over ${starts.rss.length} starts (${mb(starts.rss)}); ${rssAfter.toFixed(1)} MB after the promotion`,
    `idle RSS, glibc defaults  ${mb(glibcDefaults.rss)} MB (without npm start's MALLOC_ARENA_MAX=2)`,
    `slash command ack         ${ms(run.ackMs)}`,
    `command -> request posted ${ms(run.postedMs)}: ${requestTrips} sequential GitHub round trips (before: 2) (${time(run.postedMs)})  calls: ${JSON.stringify(requestCalls)}`,
    `approve -> commit         ${ms(run.commitMs)}: ${commitTrips} sequential GitHub round trips (before: 2) (${time(run.commitMs)})`,
    `approve -> sync requested ${ms(run.syncMs)}: ${commitTrips} GitHub + ${syncKubeTrips} Kubernetes round trips after the commit (before: 2 + 2) (${time(run.syncMs)})  calls to healthy: ${JSON.stringify(afterApprove)}`,
    `upstream calls, whole promotion: ${JSON.stringify(total)} (GitHub before: 10)`,
    `ack under ${loadCount} commands at 100/s: Flightdeck p50 ${ms(pct(fdAcks, 50))} p99 ${ms(pct(fdAcks, 99))}` +
      (bare ? `; bare Bolt p50 ${ms(pct(bareAcks, 50))} p99 ${ms(pct(bareAcks, 99))}; ratio p99 ${(pct(fdAcks, 99) / pct(bareAcks, 99)).toFixed(2)}x` : '; bare Bolt did not start'),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  child.kill('SIGTERM');
  bare?.child.kill('SIGTERM');
  await world.close();
}

await main();
