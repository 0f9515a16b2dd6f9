// The real process: `npm start` bundles if needed, reads .env, /readyz turns 200, the bundle runs a whole promotion, SIGTERM
// stops it cleanly (also while it starts); a bad config stops it with a clear message; the image's contents run alone.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { promoteStaging, until } from '../../src/sandbox/promotion.js';
import { slashCommandPayload } from '../../src/sandbox/slack/requests.js';
import { kustomization, startWorld, type World } from '../../src/sandbox/world.js';

const root = join(import.meta.dirname, '../..');
let world: World;
beforeAll(async () => {
  world = await startWorld();
});
const children: ChildProcess[] = [];
afterEach(() => {
  // A failed assertion must not leave a bot running after the test.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(async () => {
  await world.close();
});

/** `npm start` with the world's environment plus `env` (undefined: unset); run in the world's folder, so no .env of the checkout is read. */
function start(env: Record<string, string | undefined>, opts: { cwd?: string; argv?: string[] } = {}) {
  const merged: Record<string, string | undefined> = { ...process.env, ...world.env, ...env };
  for (const [key, value] of Object.entries(merged)) if (value === undefined) delete merged[key];
  const argv = opts.argv ?? [join(root, 'scripts/start.mjs')];
  const child = spawn(process.execPath, argv, { cwd: opts.cwd ?? world.dir, env: merged, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

describe('npm start', () => {
  it('becomes ready, and stops cleanly on SIGTERM', async () => {
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    const proc = start({ PORT: String(port), LOG_LEVEL: 'info' });
    const deadline = Date.now() + 120_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      ready = (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200;
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    // The bundled bot does the whole job: request, approval, commit, Argo CD sync, healthy in the thread.
    const run = await promoteStaging(`http://127.0.0.1:${port}`, world);
    expect(run.ackStatus).toBe(200);
    expect(await world.github.readFile('acme/gitops', 'k8s/overlays/staging/kustomization.yaml')).toBe(kustomization('staging', 'v3.0.0', 'v3.0.0'));
    const sync = world.kube.calls.map((c) => c.body as { operation?: { initiatedBy?: { username?: string } } } | undefined).find((b) => b?.operation);
    expect(sync?.operation?.initiatedBy?.username).toBe('U0DEV');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/flightdeck_workflow_outcomes_total\{workflow="deploy",outcome="succeeded"\} 1/);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    const lines = proc.output().split('\n').filter((l) => l.startsWith('{'));
    expect(lines.some((l) => JSON.parse(l).msg === 'flightdeck stopped')).toBe(true);
    expect(proc.output()).not.toContain('sandbox-github-token');
    expect(proc.output()).not.toContain('xoxb-sandbox-bot-token');
  }, 150_000);

  it('takes commands over Socket Mode when SLACK_APP_TOKEN is set', async () => {
    const port = 30_000 + Math.floor(Math.random() * 20_000);
    const proc = start({ PORT: String(port), SLACK_APP_TOKEN: 'xapp-sandbox-app-token', SLACK_SIGNING_SECRET: '' });
    await world.slack.socket.connected();
    const responseUrl = world.slack.responseUrl();
    const ack = await world.slack.socket.send('slash_commands', slashCommandPayload({ command: '/deploy', text: 'status', userId: 'U0DEV', channelId: 'C0DEPLOYS', responseUrl }));
    expect(ack.envelope_id).toBeTruthy();
    // /deploy status reads git and the Argo CD Applications: the socket, GitHub and Kubernetes clients all work in the bundle.
    const reply = await until(() => world.slack.responses.find((r) => r.url === responseUrl), 20_000, 25);
    expect(JSON.stringify(reply.body)).toMatch(/shop-staging|staging/);
    expect(JSON.stringify(reply.body)).toMatch(/Synced/);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 150_000);

  it('stops with a clear message when the kubeconfig cannot be used', async () => {
    const proc = start({ KUBECONFIG: join(world.dir, 'no-such-kubeconfig'), PORT: '0' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/KUBECONFIG names .*no-such-kubeconfig, which does not exist/);
  }, 150_000);

  it('refuses a bad config with one line per problem naming the key', async () => {
    const bad = join(world.dir, 'bad.yaml');
    writeFileSync(bad, 'gitops: { repo: acme/gitops }\napps: []\nenvironments:\n  - name: dev\n    overlay: k8s/overlays/dev\n    argocd: { application: shop-dev }\n    approval: { required: two }\n');
    const proc = start({ FLIGHTDECK_CONFIG: bad, PORT: '0' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/environments\[0\]\.approval\.required: expected a whole number >= 0, got "two"/);
    expect(proc.output()).toMatch(/apps/);
  }, 150_000);
});

/** Polls /readyz until it answers 200 (true) or two minutes pass (false). */
async function readyOn(port: number): Promise<boolean> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if ((await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const freePort = () => 30_000 + Math.floor(Math.random() * 20_000);

describe('npm start, as the README runs it', () => {
  it('reads ./.env for what the environment lacks; what the environment sets wins', async () => {
    const port = freePort();
    const dir = mkdtempSync(join(world.dir, 'dotenv-'));
    // A FLIGHTDECK_CONFIG in the file that would stop the bot if it won over the environment's.
    writeFileSync(join(dir, '.env'), ['# copied from .env.example', `PORT=${port}`, `SLACK_BOT_TOKEN="${world.env.SLACK_BOT_TOKEN}"`, `FLIGHTDECK_CONFIG=${join(dir, 'no-such.yaml')}`, ''].join('\n'));
    const proc = start({ PORT: undefined, SLACK_BOT_TOKEN: undefined }, { cwd: dir });
    expect(await readyOn(port), proc.output()).toBe(true);
    expect(proc.output()).toContain(`read ${join(dir, '.env')}`);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }, 150_000);

  it('stops cleanly on a SIGTERM that arrives while it starts, before the port opens', async () => {
    // An unknown key is warned about right before the store and the port open: the signal is sent on that line.
    const config = join(world.dir, 'with-unknown-key.yaml');
    writeFileSync(config, `${readFileSync(world.configPath, 'utf8')}\nnotAKey: 1\n`);
    const proc = start({ FLIGHTDECK_CONFIG: config, PORT: '0', LOG_LEVEL: 'info' });
    await expect.poll(() => proc.output(), { timeout: 120_000, interval: 2 }).toContain('notAKey');
    proc.child.kill('SIGTERM');
    // Killed by the signal, `exited` would be null (no handler yet); handled, the app stops and exits 0.
    expect(await proc.exited, proc.output()).toBe(0);
    expect(proc.output()).toContain('"msg":"flightdeck stopped"');
  }, 150_000);
});

describe('the image contents (scripts/image-contents.mjs, what the Dockerfile runtime stage copies)', () => {
  it('hold the bundle and better-sqlite3 only, and run on their own outside the checkout', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'flightdeck-image-test-')), 'app');
    try {
      execFileSync(process.execPath, [join(root, 'scripts/image-contents.mjs'), '--out', out], { stdio: 'pipe' });
      expect(existsSync(join(out, 'dist/bundle/main.js.map'))).toBe(false);
      expect(existsSync(join(out, 'node_modules/better-sqlite3/build/Release/obj'))).toBe(false);
      expect(existsSync(join(out, 'node_modules/@kubernetes'))).toBe(false);
      expect(existsSync(join(out, 'node_modules/esbuild'))).toBe(false);
      const port = freePort();
      // The image's CMD, from a folder with no node_modules above it: a missing runtime file fails the start.
      const proc = start({ PORT: String(port), NODE_ENV: 'production', DATABASE_URL: `sqlite:${join(out, '..', 'data.db')}` }, { cwd: out, argv: ['--optimize-for-size', 'dist/bundle/main.js'] });
      expect(await readyOn(port), proc.output()).toBe(true);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      rmSync(join(out, '..'), { recursive: true, force: true });
    }
  }, 150_000);
});
