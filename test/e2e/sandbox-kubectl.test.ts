// kubectl, unchanged, against the sandbox's simulated cluster: HTTPS with the certificate made at start, a token it
// will send, and the discovery it needs before it lists Argo CD Applications and Flagger Canaries.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { get } from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startSandbox, type Sandbox } from '../../src/sandbox/web/sandbox.js';

const KUBECTL = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
const SKIPPED = KUBECTL ? '' : ' — SKIPPED: kubectl is not installed';

describe.skipIf(!KUBECTL)(`kubectl against the sandbox cluster${SKIPPED}`, () => {
  let sandbox: Sandbox;
  const kubectl = async (...args: string[]) => (await promisify(execFile)(KUBECTL!, ['--kubeconfig', sandbox.world.kubeconfigPath, ...args], { timeout: 20_000 })).stdout;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, pace: 'fast', logLevel: 'silent' });
  });
  afterAll(async () => sandbox?.close());

  it('serves HTTPS with a certificate the kubeconfig trusts', () => {
    expect(sandbox.https).toBe(true);
    expect(sandbox.world.kube.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
  });

  it('lists Applications and Canaries, by full and short name', async () => {
    expect((await kubectl('get', 'applications', '-A', '-o', 'name')).split('\n').filter(Boolean).sort()).toEqual([
      'application.argoproj.io/shop-dev',
      'application.argoproj.io/shop-prod',
      'application.argoproj.io/shop-staging',
    ]);
    expect(await kubectl('get', 'app', '-n', 'argocd', 'shop-staging', '-o', 'jsonpath={.status.sync.status}/{.status.health.status}')).toBe('Synced/Healthy');
    expect(await kubectl('get', 'canaries', '-n', 'production', '-o', 'name')).toBe('canary.flagger.app/backend\n');
  });

  it('answers 401 without the token and 200 with it, trusting only the certificate in the kubeconfig', async () => {
    const config = parse(readFileSync(sandbox.world.kubeconfigPath, 'utf8')) as { clusters: Array<{ cluster: Record<string, string> }> };
    const ca = Buffer.from(config.clusters[0]!.cluster['certificate-authority-data']!, 'base64').toString('utf8');
    const status = (headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        get(`${sandbox.world.kube.url}/apis/argoproj.io/v1alpha1/applications`, { ca, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
    expect(await status({})).toBe(401);
    expect(await status({ authorization: `Bearer ${sandbox.world.kube.token}` })).toBe(200);
  });
});
