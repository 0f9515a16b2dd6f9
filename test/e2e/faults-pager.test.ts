// End to end: the external pager is down when a SEV-1 is declared. Its connection is dropped without an answer (the trigger
// may or may not have arrived), then it is back: the timeline says what happened, the trigger is sent again under the same
// dedup key, and PagerDuty ends with one alert. A deploy of an app versioned by commit meanwhile lands on the timeline once.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/harness.js';
import { seedWorker, shortSha, withDeployments, withWorker } from '../support/commit-app.js';
import { incidentChannel, incidentSlash, said, startIncidentRig, type IncidentRig } from '../support/incident-driver.js';
import { lastRequest } from '../support/slack-view.js';

let rig: IncidentRig;
beforeEach(async () => {
  rig = await startIncidentRig();
});
afterEach(async () => rig.close());

describe('pager down', () => {
  it('a dropped connection is said on the timeline and retried with the same dedup key: one alert', async () => {
    rig.pager.failNext(0, 1);
    await incidentSlash(rig.fd, 'sev1 checkout is failing', 'U0ANA');
    const channel = await incidentChannel(rig.fd, /^inc-1-/);
    await eventually(() => said(rig.fd, channel.id).some((t) => /External pager: trigger failed/.test(t) && /retrying in 5s/.test(t)), { what: 'failure on the timeline' });
    rig.clock.advance(5_000);
    await rig.fd.app.tick();
    await eventually(() => said(rig.fd, channel.id).some((t) => t.includes('trigger sent (attempt 2)')), { what: 'second attempt' });
    await rig.fd.settled();
    const triggers = rig.pager.calls.filter((c) => c.body.event_action === 'trigger');
    expect(triggers.map((c) => c.status)).toEqual([0, 202]);
    expect(new Set(triggers.map((c) => c.body.dedup_key)).size).toBe(1);
    expect([...rig.pager.alerts.values()].filter((a) => a.status === 'triggered')).toHaveLength(1);
    // no further attempt after the one that succeeded, however much time passes
    rig.clock.advance(600_000);
    await rig.fd.app.tick();
    await rig.fd.settled();
    expect(rig.pager.calls.filter((c) => c.body.event_action === 'trigger')).toHaveLength(2);
    expect(rig.pager.alerts.size).toBe(1);
  });
});

describe('pager down while an app versioned by commit is deployed, with GitHub Deployments', () => {
  it('the deploy lands on the timeline once and closes its deployment; the trigger is retried under its dedup key: one alert', async () => {
    await rig.close();
    rig = await startIncidentRig({ config: (yaml) => withDeployments(withWorker(yaml)) });
    const { next } = await seedWorker(rig.fd.world, { devAt: 'next' });
    rig.pager.failNext(0, 1);
    await incidentSlash(rig.fd, 'sev1 queue is stuck', 'U0ANA');
    const channel = await incidentChannel(rig.fd, /^inc-1-/);
    await eventually(() => said(rig.fd, channel.id).some((t) => /External pager: trigger failed/.test(t)), { what: 'failure on the timeline' });

    await rig.fd.slash(`staging ${shortSha(next)} worker`, 'U0DEV');
    await rig.fd.settled();
    const req = lastRequest(rig.fd.world)!;
    await rig.fd.click('deploy_approve', req.id, 'U0LEAD');
    await expect.poll(async () => (await rig.fd.app.store.getRequest(req.id))?.state, { timeout: 15_000 }).toBe('succeeded');
    await rig.fd.settled();
    const timeline = said(rig.fd, channel.id).join('\n');
    const short = shortSha(next);
    expect(timeline.match(new RegExp(`Deploy of \`${short}\` to staging requested \\(\`${req.id}\`\\)`, 'g'))).toHaveLength(1);
    expect(timeline.match(new RegExp(`Deploy of \`${short}\` to staging succeeded \\(\`${req.id}\`\\)`, 'g'))).toHaveLength(1);
    expect(rig.fd.world.github.deployments('acme/worker').map((d) => [d.ref, d.statuses.map((s) => s.state)])).toEqual([[next, ['in_progress', 'success']]]);

    rig.clock.advance(5_000);
    await rig.fd.app.tick();
    await rig.fd.settled();
    const triggers = rig.pager.calls.filter((c) => c.body.event_action === 'trigger');
    expect(triggers.map((c) => c.status)).toEqual([0, 202]);
    expect(new Set(triggers.map((c) => c.body.dedup_key)).size).toBe(1);
    expect([...rig.pager.alerts.values()].filter((a) => a.status === 'triggered')).toHaveLength(1);
  });
});
