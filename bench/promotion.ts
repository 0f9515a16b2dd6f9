// Measures a two-app staging promotion against the fakes with injected latency, the slash-command ack under load
// (beside a bare Bolt app), start-to-ready and idle RSS. Prints numbers; it asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../src/sandbox/slack/requests.js';
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

async function until<T>(probe: () => T | Promise<T>, timeoutMs = 30_000, everyMs = 2): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, everyMs));
  }
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

function callsSince(world: World, marks: { github: number; kube: number; slack: number }) {
  return { github: world.github.calls.length - marks.github, kubernetes: world.kube.calls.length - marks.kube, slack: world.slack.calls.length - marks.slack };
}

function mark(world: World) {
  return { github: world.github.calls.length, kube: world.kube.calls.length, slack: world.slack.calls.length };
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

/** Sequential GitHub round trips among calls: the longest chain in which each call starts after the previous one ended. */
function roundTrips(calls: Array<{ startedAt: number; endedAt: number }>): number {
  const sorted = [...calls].sort((a, b) => a.startedAt - b.startedAt);
  const depth: number[] = [];
  sorted.forEach((call, i) => {
    depth[i] = 1 + Math.max(0, ...sorted.slice(0, i).map((prev, j) => (prev.endedAt <= call.startedAt ? depth[j]! : 0)));
  });
  return Math.max(0, ...depth);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const ms = (n: number) => `${n.toFixed(0)} ms`;
const time = (n: number) => `time = ${(n / LATENCY.github).toFixed(1)} x GitHub latency`;

async function main(): Promise<void> {
  const world = await startWorld({ latency: LATENCY });
  const port = await freePort();
  // Started the way `npm start` does (scripts/start.mjs), so the measured process is the one people run.
  const { child, readyMs } = await startProcess(`${root}/scripts/start.mjs`, { ...world.env, LOG_LEVEL: 'warn' }, port, '/readyz');
  const url = `http://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 2_000));
  const idleRss = rssMb(child.pid!);

  // One two-app staging promotion, step by step.
  const m0 = mark(world);
  const t0 = performance.now();
  const ack = await postToSlackEndpoint(`${url}/slack/events`, SIGNING_SECRET, slashCommandBody({ command: '/deploy', text: 'staging v3.0.0', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl: world.slack.responseUrl() }));
  const posted = await until(() => world.slack.messages('C0DEPLOYS').find((m) => !m.thread_ts && m.blocks));
  const tPosted = performance.now() - t0;
  const requestCalls = callsSince(world, m0);
  const requestTrips = roundTrips(world.github.calls.slice(m0.github));
  const id = /fd-[0-9a-f]{10}/.exec(JSON.stringify(posted.blocks))![0];

  const m1 = mark(world);
  const t1 = performance.now();
  await postToSlackEndpoint(`${url}/slack/events`, SIGNING_SECRET, blockActionBody({ actionId: 'deploy_approve', value: id, userId: 'U0LEAD', channelId: 'C0DEPLOYS', messageTs: posted.ts, responseUrl: world.slack.responseUrl() }));
  await until(() => world.github.calls.slice(m1.github).some((c) => c.method === 'PUT' && c.status < 300));
  const tCommit = performance.now() - t1;
  const commitTrips = roundTrips(world.github.calls.slice(m1.github));
  await until(() => world.kube.calls.slice(m1.kube).some((c) => c.method === 'PATCH' && (c.body as { operation?: unknown } | undefined)?.operation));
  const tSync = performance.now() - t1;
  const commitCalls = callsSince(world, m1);
  await until(() => world.slack.messages('C0DEPLOYS').some((m) => m.thread_ts === posted.ts && /healthy/.test(m.text)));
  const total = callsSince(world, m0);
  await new Promise((r) => setTimeout(r, 2_000));
  const rssAfter = rssMb(child.pid!);

  // Ack latency under 100 commands/s, Flightdeck beside a bare Bolt app.
  const barePort = await freePort();
  const bare = await startProcess(`${root}/dist/bench/bareBolt.js`, world.env, barePort, '/slack/events', () => true).catch(() => null);
  const loadCount = 300;
  const fdAcks = await ackLoad(url, world, 'staging v3.0.0', 100, loadCount);
  const bareAcks = bare ? await ackLoad(`http://127.0.0.1:${barePort}`, world, 'staging v3.0.0', 100, loadCount) : [];

  const lines = [
    `Flightdeck bench: two-app staging promotion, latency GitHub ${LATENCY.github} ms, Kubernetes ${LATENCY.kube} ms, Slack ${LATENCY.slack} ms`,
    `start to ready            ${ms(readyMs)}`,
    `idle RSS                  ${idleRss.toFixed(1)} MB after start, ${rssAfter.toFixed(1)} MB after the promotion`,
    `slash command ack         ${ms(ack.ms)}`,
    `command -> request posted ${ms(tPosted)}: ${requestTrips} sequential GitHub round trips (${time(tPosted)})  calls: ${JSON.stringify(requestCalls)}`,
    `approve -> commit         ${ms(tCommit)}: ${commitTrips} sequential GitHub round trips (${time(tCommit)})`,
    `approve -> sync requested ${ms(tSync)} (${time(tSync)})  calls: ${JSON.stringify(commitCalls)}`,
    `upstream calls, whole promotion: ${JSON.stringify(total)}`,
    `ack under ${loadCount} commands at 100/s: Flightdeck p50 ${ms(pct(fdAcks, 50))} p99 ${ms(pct(fdAcks, 99))}` +
      (bare ? `; bare Bolt p50 ${ms(pct(bareAcks, 50))} p99 ${ms(pct(bareAcks, 99))}; ratio p99 ${(pct(fdAcks, 99) / pct(bareAcks, 99)).toFixed(2)}x` : '; bare Bolt did not start'),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  child.kill('SIGTERM');
  bare?.child.kill('SIGTERM');
  await world.close();
}

await main();
