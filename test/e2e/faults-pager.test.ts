// End to end: the external pager is down when a SEV-1 is declared. Its connection is dropped without an answer (the trigger
// may or may not have arrived), then it is back: the timeline says what happened, the trigger is sent again under the same
// dedup key, and PagerDuty ends with one alert.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/harness.js';
import { incidentChannel, incidentSlash, said, startIncidentRig, type IncidentRig } from '../support/incident-driver.js';

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
