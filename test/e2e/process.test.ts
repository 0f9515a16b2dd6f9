// The real process: `npm start` builds if needed, /readyz turns 200, SIGTERM stops it cleanly; a bad config stops it with a clear message.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorld, type World } from '../../src/sandbox/world.js';

const root = join(import.meta.dirname, '../..');
let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, [join(root, 'scripts/start.mjs')], { cwd: root, env: { ...process.env, ...world.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    const lines = proc.output().split('\n').filter((l) => l.startsWith('{'));
    expect(lines.some((l) => JSON.parse(l).msg === 'flightdeck stopped')).toBe(true);
    expect(proc.output()).not.toContain('sandbox-github-token');
    expect(proc.output()).not.toContain('xoxb-sandbox-bot-token');
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
