// End to end: declaring incidents of each severity — channel, invites, topic, pinned card, paging, the external pager.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/harness.js';
import { card, createdChannels, incidentChannel, incidentSlash, members, ROUTING_KEY, said, startIncidentRig, type IncidentRig } from '../support/incident-driver.js';

let rig: IncidentRig;
beforeEach(async () => {
  rig = await startIncidentRig();
});
afterEach(async () => {
  await rig.close();
});

describe('declare', () => {
  it('SEV-1: channel, declarer and on-call invited, topic, pinned card with buttons and runbook, page and pager trigger', async () => {
    const { fd, pager } = rig;
    const res = await incidentSlash(fd, 'SEV-1 checkout pods in CrashLoopBackOff', 'U0ANA');
    expect(res.status).toBe(200);
    const channel = await incidentChannel(fd, /^inc-1-checkout-pods-in-crashloopbackoff$/);
    const c = card(fd, channel.id)!;
    expect(c.buttons.map((b) => b.text)).toEqual(['Acknowledge', 'Escalate', 'Resolve']);
    expect(c.shown).toContain('SEV-1');
    expect(c.shown).toContain('INC-1');
    expect(c.shown).toContain('<@U0ANA>');
    expect(c.shown).toContain('30s');
    expect(c.shown).toContain('https://runbooks.example/crashloop');
    expect(c.shown).not.toContain('https://runbooks.example/database');
    await eventually(() => members(fd, channel.id).includes('U0ONCALL'), { what: 'on-call invited' });
    expect(members(fd, channel.id)).toContain('U0ANA');
    expect(fd.world.slack.callsOf('pins.add')).toEqual([expect.objectContaining({ channel: channel.id, timestamp: c.ts })]);
    expect(fd.world.slack.callsOf('conversations.setTopic').at(-1)?.topic).toMatch(/^SEV-1 INC-1: checkout pods in CrashLoopBackOff \| Open/);
    const page = await eventually(() => said(fd, 'C0INCIDENTS').find((t) => t.includes('paging')), { what: 'page in the incidents channel' });
    expect(page).toContain('<!subteam^S0ONCALL>');
    expect(page).toContain(`<#${channel.id}>`);
    const trigger = await eventually(() => pager.accepted().find((e) => e.event_action === 'trigger'), { what: 'pager trigger' });
    expect(trigger).toMatchObject({ routing_key: ROUTING_KEY, payload: { severity: 'critical', source: 'flightdeck', summary: 'SEV-1 INC-1: checkout pods in CrashLoopBackOff' } });
    expect(trigger.dedup_key).toMatch(/^flightdeck\/INC-1\//);
    await eventually(() => said(fd, channel.id).some((t) => t.includes('External pager: trigger sent')), { what: 'pager outcome on the timeline' });
  });

  it('pages each severity by its config: groups and users mentioned, the external pager only for SEV-1/2', async () => {
    const { fd, pager } = rig;
    const cases = [
      { text: 'sev2 payments slow', mentions: ['<!subteam^S0ONCALL>', '<@U0SRE>'], invited: ['U0ONCALL', 'U0SRE'], pd: 'error' },
      { text: '3 search degraded', mentions: ['<!subteam^S0TEAM>'], invited: ['U0DEV1', 'U0DEV2'], pd: null },
      { text: 'Sev_4 typo on the about page', mentions: ['<@U0TEAMLEAD>'], invited: ['U0TEAMLEAD'], pd: null },
    ];
    for (const [i, k] of cases.entries()) {
      await incidentSlash(fd, k.text, 'U0ANA');
      const channel = await incidentChannel(fd, new RegExp(`^inc-${i + 1}-`));
      const page = await eventually(() => said(fd, 'C0INCIDENTS').find((t) => t.includes(`INC-${i + 1}`) && t.includes('paging')), { what: `page ${i + 1}` });
      for (const m of k.mentions) expect(page).toContain(m);
      await eventually(() => k.invited.every((u) => members(fd, channel.id).includes(u)), { what: `invites ${i + 1}` });
    }
    await eventually(() => pager.accepted().length === 1, { what: 'one pager event' });
    expect(pager.accepted()[0]!.payload.severity).toBe('error');
  });

  it('names channels by Slack rules: unicode and emoji folded, 200 characters cut to 80, a suffix when the name is taken', async () => {
    const { fd } = rig;
    // someone already has the channel the first incident would get
    await fetch(`${fd.world.slack.apiUrl}conversations.create`, { method: 'POST', headers: { authorization: 'Bearer xoxb-sandbox-bot-token', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'inc-1-zahlung-schlagt-fehl' }) });
    await incidentSlash(fd, 'sev3 Zahlung schlägt fehl 🔥🔥', 'U0ANA');
    await incidentChannel(fd, /^inc-1-zahlung-schlagt-fehl-2$/);
    await incidentSlash(fd, `sev4 ${'very long title '.repeat(13).slice(0, 200)}`, 'U0ANA');
    const long = await incidentChannel(fd, /^inc-2-/);
    expect(long.name.length).toBeLessThanOrEqual(80);
    expect(long.name).toMatch(/^[a-z0-9_-]+$/);
    await incidentSlash(fd, 'sev4 🔥🚒', 'U0ANA');
    await incidentChannel(fd, /^inc-3$/);
    expect(createdChannels(fd).every((c) => /^[a-z0-9_-]{1,80}$/.test(c.name))).toBe(true);
  });
});
