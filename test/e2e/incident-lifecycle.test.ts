// End to end: re-grade, updates, commander hand-over, resolve with summary and postmortem, answers outside a channel, escaping.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/harness.js';
import { card, incidentChannel, incidentSlash, members, said, startIncidentRig, submitView, viewsOpened, type IncidentRig } from '../support/incident-driver.js';
import { privateTo } from '../support/slack-view.js';

let rig: IncidentRig;
beforeEach(async () => {
  rig = await startIncidentRig();
});
afterEach(async () => {
  await rig.close();
});

async function declared(text: string) {
  await incidentSlash(rig.fd, text, 'U0ANA');
  return incidentChannel(rig.fd, /^inc-1/);
}

describe('incident lifecycle', () => {
  it('re-grades up (pager, on-call, target) and down, updating the card in place', async () => {
    const { fd } = rig;
    const channel = await declared('sev3 search degraded');
    await incidentSlash(fd, 'sev 1', 'U0ANA', channel.id);
    await eventually(() => card(fd, channel.id)!.shown.includes('SEV-1'), { what: 'card at SEV-1' });
    await eventually(() => rig.pager.accepted().some((e) => e.event_action === 'trigger' && e.payload.severity === 'critical'), { what: 'pager on re-grade up' });
    await eventually(() => members(fd, channel.id).includes('U0ONCALL'), { what: 'on-call invited' });
    expect(said(fd, 'C0INCIDENTS').some((t) => t.includes('re-graded SEV-3 → *SEV-1*'))).toBe(true);
    await incidentSlash(fd, 'sev 4', 'U0ANA', channel.id);
    await eventually(() => card(fd, channel.id)!.shown.includes('SEV-4') && card(fd, channel.id)!.shown.includes('5m'), { what: `card at SEV-4: ${JSON.stringify([...privateTo(fd.world, 'U0ANA'), ...fd.answers('U0ANA')])} ${card(fd, channel.id)!.shown}` });
    expect(card(fd, channel.id)!.updates).toBeGreaterThanOrEqual(2);
    // SEV-4 does not page externally: the alert raised at SEV-1 is resolved with the same dedup key
    await eventually(() => rig.pager.accepted().some((e) => e.event_action === 'resolve'), { what: 'pager resolved on re-grade down' });
    const keys = new Set(rig.pager.accepted().map((e) => e.dedup_key));
    expect(keys.size).toBe(1);
  });

  it('posts updates, hands over command, resolves with a summary, a postmortem issue and a Resolved card', async () => {
    const { fd, clock } = rig;
    const channel = await declared('sev2 database connections exhausted');
    clock.advance(60_000);
    await incidentSlash(fd, 'update failover started', 'U0ANA', channel.id);
    await eventually(() => said(fd, channel.id).some((t) => t.includes('Update from <@U0ANA>: failover started')), { what: 'update' });
    await incidentSlash(fd, 'lead <@U0BOB|bob>', 'U0ANA', channel.id);
    await eventually(() => card(fd, channel.id)!.shown.includes('*Commander:* <@U0BOB>'), { what: 'new commander on the card' });
    clock.advance(30 * 60_000);
    await incidentSlash(fd, 'resolve', 'U0BOB', channel.id);
    const modal = await eventually(() => viewsOpened(fd).at(-1), { what: 'resolve modal' });
    await submitView(fd, modal, 'U0BOB', { summary: { summary_input: { type: 'plain_text_input', value: 'pool size raised' } } });
    const summary = await eventually(() => said(fd, 'C0INCIDENTS').find((t) => t.includes('resolved:')), { what: 'summary in the incidents channel' });
    expect(summary).toContain('Time to acknowledge: never acknowledged');
    expect(summary).toContain('Time to resolve: 31m');
    expect(summary).toContain('<@U0BOB> took command and resolved');
    expect(summary).toContain('pool size raised');
    expect(said(fd, channel.id).some((t) => t.includes('Time to resolve: 31m'))).toBe(true);
    const issue = await eventually(() => fd.world.github.issues('acme/incidents')[0], { what: 'postmortem issue' });
    expect(issue.title).toBe('Postmortem INC-1: database connections exhausted');
    for (const part of ['## Timeline', '## Impact', '## Root cause', '## What went well', '## Action items', 'failover started', 'pool size raised']) expect(issue.body).toContain(part);
    await eventually(() => card(fd, channel.id)!.shown.includes('Resolved') && card(fd, channel.id)!.buttons.length === 0, { what: 'card resolved' });
    await eventually(() => rig.pager.accepted().some((e) => e.event_action === 'resolve'), { what: 'pager resolve' });
    await incidentSlash(fd, 'list', 'U0ANA');
    await eventually(() => [...privateTo(fd.world, 'U0ANA'), ...fd.answers('U0ANA')].some((t) => t.includes('No incident is open')), { what: 'empty list' });
  });

  it('answers channel commands typed elsewhere with where to type them', async () => {
    const { fd } = rig;
    await declared('sev4 typo');
    for (const text of ['resolve', 'sev 2', 'update hi', 'lead <@U0BOB>']) await incidentSlash(fd, text, 'U0ANA', 'C0GENERAL');
    await eventually(() => [...privateTo(fd.world, 'U0ANA'), ...fd.answers('U0ANA')].filter((t) => t.includes('works in an incident channel') && t.includes('INC-1')).length === 4, { what: 'four answers' });
    await incidentSlash(fd, 'list', 'U0ANA', 'C0GENERAL');
    await eventually(() => [...privateTo(fd.world, 'U0ANA'), ...fd.answers('U0ANA')].some((t) => t.includes('Open incidents (1)') && t.includes('INC-1')), { what: 'list' });
  });

  it('never lets user text notify anyone: title, update, commander hand-over text and summary are escaped', async () => {
    const { fd } = rig;
    const evil = '<!channel> <!here> <@U0CEO> <https://evil.example|click>';
    await incidentSlash(fd, `sev1 ${evil}`, 'U0ANA');
    const channel = await incidentChannel(fd, /^inc-1/);
    await incidentSlash(fd, `update ${evil}`, 'U0ANA', channel.id);
    await eventually(() => said(fd, channel.id).some((t) => t.includes('Update from')), { what: 'update' });
    await incidentSlash(fd, 'resolve', 'U0ANA', channel.id);
    const modal = await eventually(() => viewsOpened(fd).at(-1), { what: 'resolve modal' });
    await submitView(fd, modal, 'U0ANA', { summary: { summary_input: { type: 'plain_text_input', value: evil } } });
    await eventually(() => said(fd, 'C0INCIDENTS').some((t) => t.includes('resolved:')), { what: 'summary' });
    // plain_text (the card's header) is never parsed for mentions; mrkdwn and message text are
    const mrkdwn = (blocks: any[] = []) => JSON.stringify(blocks, (key, value) => (value && value.type === 'plain_text' ? undefined : value));
    const everything = [
      ...fd.world.slack.messages().map((m) => `${m.text}\n${mrkdwn(m.blocks)}`),
      ...fd.world.slack.callsOf('conversations.setTopic').map((a) => String(a.topic)),
      ...fd.world.slack.responses.map((r) => JSON.stringify(r.body)),
    ].join('\n');
    for (const raw of ['<!channel>', '<!here>', '<@U0CEO>', '<https://evil.example']) expect(everything).not.toContain(raw);
    expect(everything).toContain('&lt;!channel&gt;');
    const issue = await eventually(() => fd.world.github.issues('acme/incidents')[0], { what: 'issue' });
    expect(issue.body).not.toMatch(/<!channel>|@U0CEO|\]\(https:\/\/evil/);
  });
});
