// End to end: text from outside (Argo CD messages, overlay tags) is escaped once for Slack and left as it is for GitHub and the record.
import { afterEach, describe, expect, it } from 'vitest';
import { EXAMPLE_CONFIG, kustomization } from '../../src/sandbox/world.js';
import { eventually, startFlightdeck, type Running } from '../support/harness.js';
import { lastRequest, threadOf } from '../support/slack-view.js';

let fd: Running | undefined;
afterEach(async () => {
  await fd?.close();
  fd = undefined;
});

const HOSTILE = '<!channel> rejected: a & b <script>';
const ONCE = '&lt;!channel&gt; rejected: a &amp; b &lt;script&gt;';

describe('wording at the edge', () => {
  it('escapes an Argo CD failure message once in Slack, and not at all on GitHub or in the record', async () => {
    fd = await startFlightdeck({ config: EXAMPLE_CONFIG.replace('  mode: commit', '  mode: commit\n  deployments: true') });
    fd.world.kube.argo.setOutcome('shop-staging', 'fail', { message: HOSTILE });
    await fd.slash('staging v3.0.0', 'U0DEV');
    const req = await eventually(() => lastRequest(fd!.world), { what: 'request' });
    await fd.click('deploy_approve', req.id, 'U0LEAD');
    await eventually(async () => (await fd!.app.store.getRequest(req.id))?.state === 'failed', { what: 'failed' });
    await fd.app.settled();

    const failure = threadOf(fd.world, req.ts).find((t) => t.includes('Failed:'))!;
    expect(failure).toBe(`:x: Failed: Argo CD sync failed: ${ONCE}`);
    const shown = lastRequest(fd.world)!.shown;
    expect(shown).toContain(`Failed: Argo CD sync failed: ${ONCE}`);
    const everything = fd.world.slack.calls.map((c) => JSON.stringify(c.args)).join('\n');
    expect(everything).not.toContain('<!channel>');
    expect(everything).not.toContain('&amp;lt;');

    for (const repo of ['acme/backend', 'acme/frontend']) {
      const statuses = fd.world.github.deployments(repo)[0]!.statuses;
      expect(statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
      expect(statuses.at(-1)!.description).toBe(`Argo CD sync failed: ${HOSTILE}`.slice(0, 140));
    }
    const failed = (await fd.app.store.auditOf(req.id)).find((e) => e.action === 'failed')!;
    expect(failed.detail).toEqual({ kind: 'deploy', env: 'staging', version: 'v3.0.0', problem: { code: 'sync-failed', application: 'shop-staging', phase: 'Failed', message: HOSTILE } });
  });

  it('shows a tag read from the overlay escaped once on the request', async () => {
    fd = await startFlightdeck();
    const overlay = 'k8s/overlays/staging/kustomization.yaml';
    await fd.world.github.commit('acme/gitops', { [overlay]: kustomization('staging', 'v2.9.0', 'v2.9.0').replace('newTag: v2.9.0', "newTag: '<!here>&x'") }, { message: 'odd tag' });
    await fd.slash('staging v3.0.0 backend', 'U0DEV');
    const req = await eventually(() => lastRequest(fd!.world), { what: 'request' });
    expect(req.shown).toContain('`&lt;!here&gt;&amp;x` → `v3.0.0`');
    expect(req.shown).not.toContain('<!here>');
    expect(req.shown).not.toContain('&amp;lt;');
  });
});
