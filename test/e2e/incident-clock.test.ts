// End to end: the escalation clock (store timers, a manual clock), Acknowledge, Escalate, restarts, two processes, pager retries.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFlightdeck } from '../support/harness.js';
import { eventually } from '../support/harness.js';
import { card, clickCard, incidentChannel, incidentSlash, members, ROUTING_KEY, said, startIncidentRig, type IncidentRig } from '../support/incident-driver.js';

let rig: IncidentRig;
beforeEach(async () => {
  rig = await startIncidentRig();
});
afterEach(async () => {
  await rig.close();
});

const escalations = (rig: IncidentRig, channel: string) => said(rig.fd, channel).filter((t) => t.includes('escalated to tier'));

async function declared(text = 'sev1 checkout is failing') {
  await incidentSlash(rig.fd, text, 'U0ANA');
  const channel = await incidentChannel(rig.fd, /^inc-1-/);
  await eventually(() => said(rig.fd, 'C0INCIDENTS').some((t) => t.includes('paging')), { what: 'first page' });
  // the declare is done once the pager's outcome is on the timeline (its last step)
  await eventually(() => said(rig.fd, channel.id).some((t) => t.includes('External pager: trigger')), { what: 'pager outcome' });
  return channel;
}

describe('escalation clock', () => {
  it('escalates tier by tier when nobody acknowledges, announced and paged, then stops after the last tier', async () => {
    const channel = await declared();
    rig.clock.advance(29_000);
    await rig.fd.app.tick();
    expect(escalations(rig, channel.id)).toHaveLength(0);
    rig.clock.advance(2_000);
    await rig.fd.app.tick();
    await rig.fd.settled();
    expect(escalations(rig, channel.id)).toHaveLength(1);
    expect(escalations(rig, channel.id)[0]).toContain('<!subteam^S0LEADS>');
    expect(said(rig.fd, 'C0INCIDENTS').some((t) => t.includes('tier 1') && t.includes('<!subteam^S0LEADS>'))).toBe(true);
    await eventually(() => members(rig.fd, channel.id).includes('U0LEAD1'), { what: 'leads invited' });
    rig.clock.advance(31_000);
    await rig.fd.app.tick();
    await eventually(() => escalations(rig, channel.id).length === 2, { what: 'tier 2' });
    expect(escalations(rig, channel.id)[1]).toContain('<@U0CTO>');
    expect(card(rig.fd, channel.id)!.shown).toContain('escalated to tier 2');
    rig.clock.advance(120_000);
    await rig.fd.app.tick();
    expect(escalations(rig, channel.id)).toHaveLength(2);
  });

  it('does not escalate after Acknowledge; the card and the pager say acknowledged', async () => {
    const channel = await declared();
    await clickCard(rig.fd, channel.id, 'Acknowledge', 'U0ONCALL');
    await eventually(() => said(rig.fd, channel.id).some((t) => t.includes('Acknowledged by <@U0ONCALL>')), { what: 'acknowledged' });
    await eventually(() => !card(rig.fd, channel.id)!.buttons.some((b) => b.text === 'Acknowledge'), { what: 'card updated' });
    expect(card(rig.fd, channel.id)!.shown).toContain('Acknowledged');
    rig.clock.advance(10 * 60_000);
    await rig.fd.app.tick();
    expect(escalations(rig, channel.id)).toHaveLength(0);
    await eventually(() => rig.pager.accepted().some((e) => e.event_action === 'acknowledge'), { what: 'pager acknowledge' });
    const keys = new Set(rig.pager.accepted().map((e) => e.dedup_key));
    expect(keys.size).toBe(1);
  });

  it('Escalate moves to the next tier at once', async () => {
    const channel = await declared();
    await clickCard(rig.fd, channel.id, 'Escalate', 'U0ANA');
    await eventually(() => escalations(rig, channel.id).length === 1, { what: 'escalated by button' });
    expect(escalations(rig, channel.id)[0]).toContain('<@U0ANA> escalated to tier 1');
  });

  it('fires exactly once when it came due while the bot was down, also with two processes on one store', async () => {
    const channel = await declared();
    await rig.fd.restart({ clock: rig.clock, env: { PAGER_ROUTING_KEY: ROUTING_KEY } });
    await rig.fd.app.stop();
    rig.clock.advance(45_000);
    await rig.fd.restart({ clock: rig.clock, env: { PAGER_ROUTING_KEY: ROUTING_KEY } }).catch(() => undefined);
    const second = await startFlightdeck({ world: rig.fd.world, options: { clock: rig.clock, env: { PAGER_ROUTING_KEY: ROUTING_KEY } } });
    try {
      await Promise.all([rig.fd.app.tick(), second.app.tick(), rig.fd.app.tick(), second.app.tick()]);
      await Promise.all([rig.fd.settled(), second.settled()]);
      expect(escalations(rig, channel.id)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('retries a failing pager with backoff and sends the trigger once', async () => {
    rig.pager.failNext(503, 2);
    const channel = await declared('sev2 payments slow');
    await eventually(() => said(rig.fd, channel.id).some((t) => t.includes('trigger failed (HTTP 503') && t.includes('retrying in 5s')), { what: 'first failure' });
    rig.clock.advance(5_000);
    await rig.fd.app.tick();
    await eventually(() => said(rig.fd, channel.id).some((t) => t.includes('retrying in 10s')), { what: 'second failure' });
    rig.clock.advance(10_000);
    await rig.fd.app.tick();
    await eventually(() => said(rig.fd, channel.id).some((t) => t.includes('trigger sent (attempt 3)')), { what: 'third attempt succeeded' });
    expect(rig.pager.calls.map((c) => c.status)).toEqual([503, 503, 202]);
    rig.clock.advance(600_000);
    await rig.fd.app.tick();
    expect(rig.pager.accepted().filter((e) => e.event_action === 'trigger')).toHaveLength(1);
  });

  it('an Acknowledge pressed before the pager trigger went out is sent after it: the alert ends acknowledged', async () => {
    rig.pager.failNext(503, 1);
    const channel = await declared('sev2 payments slow');
    await clickCard(rig.fd, channel.id, 'Acknowledge', 'U0ONCALL');
    await eventually(() => said(rig.fd, channel.id).some((t) => t.includes('Acknowledged by <@U0ONCALL>')), { what: 'acknowledged' });
    await rig.fd.settled();
    expect([...rig.pager.alerts.values()].map((a) => a.status)).toEqual([]);
    rig.clock.advance(5_000);
    await rig.fd.app.tick();
    await rig.fd.settled();
    expect(rig.pager.accepted().map((e) => e.event_action)).toEqual(['acknowledge', 'trigger', 'acknowledge']);
    expect([...rig.pager.alerts.values()].map((a) => a.status)).toEqual(['acknowledged']);
  });
});
