// The sandbox's --gitops mode: the fakes seeded from a local GitOps clone and the user's own flightdeck.yaml, then a
// deploy through the page's API (signed to /slack/events like every click) lands in the seeded overlay.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseLine } from '../../src/sandbox/seedSources.js';
import { seededWorld } from '../../src/sandbox/seedGitops.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/web/sandbox.js';
import { eventually } from '../support/harness.js';

function overlay(env: string, tag: string): string {
  return `# ${env}: tags written by CI and Flightdeck
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [../../base]
images:
  - name: ghcr.io/acme/backend
    newTag: ${tag}   # keep this comment
  - name: ghcr.io/acme/frontend
    newTag: "${tag}"
`;
}

describe('npm run sandbox -- --gitops <clone> --config <file>', () => {
  let dir: string;
  let sandbox: Sandbox;
  const post = (path: string, body: unknown) =>
    fetch(`${sandbox.url}/sandbox/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ status?: number }>);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flightdeck-clone-'));
    const clone = join(dir, 'gitops');
    for (const [env, tag] of [['dev', 'v3.0.0'], ['staging', 'v2.9.0'], ['production', 'v2.9.0']] as const) {
      mkdirSync(join(clone, 'k8s/overlays', env), { recursive: true });
      writeFileSync(join(clone, 'k8s/overlays', env, 'kustomization.yaml'), overlay(env, tag));
    }
    writeFileSync(join(clone, 'untracked.txt'), 'not in git\n');
    const git = (...args: string[]) => execFileSync('git', ['-C', clone, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);
    git('init', '-q', '-b', 'main');
    git('add', 'k8s');
    git('commit', '-q', '-m', 'overlays');
    copyFileSync('examples/flightdeck.yaml', join(dir, 'flightdeck.yaml'));
    sandbox = await startSandbox({ port: 0, pace: 'fast', tls: false, logLevel: 'silent', world: seededWorld(clone, join(dir, 'flightdeck.yaml')) });
  });
  afterAll(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('seeds GitHub with the tracked files and runs the config without what would reach real services', async () => {
    expect(await sandbox.world.github.readFile('acme/gitops', 'k8s/overlays/staging/kustomization.yaml')).toBe(overlay('staging', 'v2.9.0'));
    expect(await sandbox.world.github.readFile('acme/gitops', 'untracked.txt')).toBeNull();
    expect(sandbox.config.prometheus).toBeUndefined();
    expect(sandbox.config.incidents.pager).toBeUndefined();
    expect((sandbox.world as { notes?: string[] }).notes?.join('\n')).toMatch(/prometheus, incidents\.pager[\s\S]*try deploying v3\.0\.1/);
    expect(sandbox.world.kube.get('argoproj.io/v1alpha1', 'Application', 'argocd', 'shop-prod')).toBeTruthy();
    expect(sandbox.world.kube.get('flagger.app/v1beta1', 'Canary', 'production', 'backend')).toBeTruthy();
  });

  it('deploys to staging through the page: the seeded overlay changes and keeps its comments', async () => {
    const requester = (await (await fetch(`${sandbox.url}/sandbox/api/state`)).json() as { people: Array<{ id: string }> }).people[0]!.id;
    expect(requester).toBe('U0DEVS1');
    expect((await post('command', { user: requester, channel: 'C0DEPLOYS', text: '/deploy staging v3.0.0' })).status).toBe(200);
    const request = await eventually(() => sandbox.world.slack.messages('C0DEPLOYS').find((m) => !m.thread_ts && JSON.stringify(m.blocks ?? []).includes('Approve')), { what: 'the request' });
    const id = /fd-[0-9a-f]{10}/.exec(JSON.stringify(request.blocks))![0];
    expect((await post('click', { user: 'U0LEAD', channel: 'C0DEPLOYS', messageTs: request.ts, actionId: 'deploy_approve', value: id })).status).toBe(200);
    const written = await eventually(async () => {
      const text = await sandbox.world.github.readFile('acme/gitops', 'k8s/overlays/staging/kustomization.yaml');
      return text?.includes('newTag: v3.0.0') ? text : null;
    }, { what: 'the overlay commit' });
    expect(written).toBe(overlay('staging', 'v3.0.0'));
  });
});

describe('the versions seeded for an app', () => {
  it('orders semver tags and adds the next patch to deploy', () => {
    expect(releaseLine(['v3.0.0', 'v2.9.0', 'v2.9.0', 'v2.10.0'])).toEqual(['v2.9.0', 'v2.10.0', 'v3.0.0', 'v3.0.1']);
    expect(releaseLine(['1.2.3'])).toEqual(['1.2.3', '1.2.4']);
  });

  it('keeps other tags first and adds a "-next" when none is semver', () => {
    expect(releaseLine(['build-7', 'latest'])).toEqual(['build-7', 'latest', 'latest-next']);
    expect(releaseLine([])).toEqual(['sandbox-next']);
  });
});
