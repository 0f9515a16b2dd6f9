// End to end: incidents and deploys meet. An open SEV-1 freezes production deploys (not rollbacks, which land on its
// timeline) until it is resolved; a failed production deploy declares an incident in one click; freeze windows by the clock.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/runtime/clock.js';
import { EXAMPLE_CONFIG, kustomization } from '../../src/sandbox/world.js';
import { startFlightdeck, type Running } from '../support/harness.js';
import { clickCard, incidentChannel, incidentSlash, said, startIncidentRig, submitView, viewsOpened, type IncidentRig } from '../support/incident-driver.js';
import { buttonsOf, lastRequest, requests, threadOf } from '../support/slack-view.js';

const STAGING = 'k8s/overlays/staging/kustomization.yaml';
const PROD = 'k8s/overlays/production/kustomization.yaml';

let rig: IncidentRig | undefined;
let fd: Running | undefined;
afterEach(async () => {
  await rig?.close();
  await fd?.close();
  rig = undefined;
  fd = undefined;
});

async function overlays(run: Running, staging: [string, string], prod: [string, string]) {
  await run.world.github.commit('acme/gitops', { [STAGING]: kustomization('staging', ...staging), [PROD]: kustomization('production', ...prod) }, { message: 'by hand' });
}

describe('incidents and deploys', () => {
  it('freezes production deploys while a SEV-1 is open, lets rollbacks through onto its timeline, and lifts on resolve', async () => {
    rig = await startIncidentRig();
    const run = rig.fd;
    await overlays(run, ['v3.0.0', 'v3.0.0'], ['v3.0.0', 'v2.9.0']);
    await incidentSlash(run, 'sev1 checkout is failing', 'U0ANA');
    const channel = await incidentChannel(run, /^inc-1-checkout-is-failing/);

    await run.slash('prod v3.0.0 frontend', 'U0DEV');
    await run.settled();
    expect(run.answers('U0DEV').join('\n')).toMatch(new RegExp(`production is frozen while SEV-1 \\*INC-1\\* \\(<#${channel.id}>\\) is open \\(checkout is failing\\)`));
    expect(requests(run.world)).toHaveLength(0);

    await run.slash('prod backend', 'U0DEV', { command: '/rollback' });
    await run.settled();
    const back = lastRequest(run.world)!;
    await run.click('deploy_approve', back.id, 'U0EXEC1');
    await expect.poll(async () => (await run.app.store.getRequest(back.id))?.state, { timeout: 15_000 }).toBe('succeeded');
    await expect.poll(() => said(run, channel.id).join('\n'), { timeout: 5_000 }).toMatch(new RegExp(`Rollback of \`v2\\.9\\.0\` to production succeeded \\(\`${back.id}\`\\)`));
    expect(said(run, channel.id).join('\n')).toMatch(/Rollback of `v2\.9\.0` to production requested/);

    await incidentSlash(run, 'resolve', 'U0ANA', channel.id);
    await expect.poll(() => viewsOpened(run).length, { timeout: 5_000 }).toBe(1);
    await submitView(run, viewsOpened(run).at(-1), 'U0ANA', { summary: { summary_input: { type: 'plain_text_input', value: 'rolled back' } } });
    await expect.poll(async () => (await run.app.store.listIncidents(['open', 'acknowledged'])).length, { timeout: 5_000 }).toBe(0);
    await run.slash('prod v3.0.0 frontend', 'U0DEV');
    await run.settled();
    expect(lastRequest(run.world)!.shown).toMatch(/Deploy v3\.0\.0 to production/);
  });

  it('offers Declare incident on a failed production deploy, prefilled, and starts the incident from it', async () => {
    rig = await startIncidentRig();
    const run = rig.fd;
    await overlays(run, ['v3.0.0', 'v3.0.0'], ['v2.9.0', 'v2.9.0']);
    run.world.kube.argo.setOutcome('shop-prod', 'fail');
    await run.slash('prod v3.0.0 frontend', 'U0DEV');
    await run.settled();
    const deploy = lastRequest(run.world)!;
    await run.click('deploy_approve', deploy.id, 'U0EXEC1');
    await run.click('deploy_approve', deploy.id, 'U0EXEC2');
    await expect.poll(async () => (await run.app.store.getRequest(deploy.id))?.state, { timeout: 15_000 }).toBe('failed');
    const declare = await expect
      .poll(() => run.world.slack.messages('C0DEPLOYS').filter((m) => m.thread_ts === deploy.ts).flatMap((m) => buttonsOf(m.blocks)).find((b) => b.text === 'Declare incident'), { timeout: 5_000 })
      .toBeTruthy()
      .then(() => run.world.slack.messages('C0DEPLOYS').filter((m) => m.thread_ts === deploy.ts).flatMap((m) => buttonsOf(m.blocks)).find((b) => b.text === 'Declare incident')!);
    expect(declare.value).toBe(deploy.id);
    await run.click(declare.action_id, declare.value, 'U0DEV', { messageTs: deploy.ts });
    await expect.poll(() => viewsOpened(run).length, { timeout: 5_000 }).toBe(1);
    const modal = viewsOpened(run)[0];
    expect(JSON.stringify(modal)).toContain('v3.0.0');
    await submitView(run, modal, 'U0DEV', { severity: { severity_input: { type: 'static_select', selected_option: { value: 'sev2' } } }, title: { title_input: { type: 'plain_text_input', value: 'prod deploy of v3.0.0 failed' } } });
    const channel = await incidentChannel(run, /^inc-1-prod-deploy/);
    // the incident's timeline starts with the deploy and links its thread; the deploy thread links the incident
    const timeline = await run.app.store.timelineOf(1);
    expect(timeline.map((e) => e.event.type).slice(0, 2)).toEqual(['declared', 'declared-from']);
    expect(timeline[1]!.event).toMatchObject({ type: 'declared-from', kind: 'deploy', env: 'production', version: 'v3.0.0', runId: deploy.id });
    expect(JSON.stringify(timeline[1])).toMatch(/https?:\/\/\S+/);
    await expect.poll(() => threadOf(run.world, deploy.ts).join('\n'), { timeout: 5_000 }).toMatch(/INC-1/);
  });

  it('refuses a deploy inside a freeze window and allows it outside, by the injected clock', async () => {
    // Fridays from 16:00 in Berlin, for 65 hours
    const config = `${EXAMPLE_CONFIG}freezes:\n  - { name: weekend, cron: "0 16 * * 5", duration: 65h, environments: [production], timezone: Europe/Berlin }\n`;
    const clock = new ManualClock(Date.parse('2026-12-05T12:00:00Z')); // a Saturday: inside
    fd = await startFlightdeck({ config, options: { clock } });
    await overlays(fd, ['v3.0.0', 'v3.0.0'], ['v2.9.0', 'v2.9.0']);
    await fd.slash('prod v3.0.0', 'U0DEV');
    await fd.settled();
    expect(fd.answers('U0DEV').join('\n')).toMatch(/production is frozen \(weekend\) until .*Nothing was deployed/);
    expect(requests(fd.world)).toHaveLength(0);
    clock.advance(3 * 86_400_000); // Tuesday: outside
    await fd.slash('prod v3.0.0', 'U0DEV');
    await fd.settled();
    expect(requests(fd.world)).toHaveLength(1);
  });
});

describe('an incident whose channel cannot be created', () => {
  it('is closed rather than left open to freeze production, and the person is told', async () => {
    rig = await startIncidentRig();
    const run = rig.fd;
    run.world.slack.faults.inject({ method: 'POST', path: '/api/conversations.create', kind: 'status', status: 200, body: { ok: false, error: 'restricted_action' } });
    await incidentSlash(run, 'sev1 checkout is failing', 'U0ANA');
    await run.settled();
    expect(run.answers('U0ANA').join('\n')).toMatch(/restricted_action/);
    expect(await run.app.store.listIncidents(['open', 'acknowledged'])).toEqual([]);
    await overlays(run, ['v3.0.0', 'v3.0.0'], ['v2.9.0', 'v2.9.0']);
    await run.slash('prod v3.0.0', 'U0DEV');
    await run.settled();
    expect(lastRequest(run.world)!.shown).toMatch(/Deploy v3\.0\.0 to production/);
  });
});
