// Concurrent sev2 incidents declared on alternating replicas: half acknowledged (some by two people on two replicas at once),
// half left to escalate through both tiers while every replica's scheduler ticks; then counted in Slack and the pager fake.
import { buttonsOf, press, slash, tsMs, waitUntil, type Ack } from './fakes.js';
import { LEADS, ONCALL, RESPOND_WITHIN_S, type Rig } from './rig.js';

const TIERS = 2;
const titleOf = (k: number) => `bench incident ${String(k).padStart(3, '0')}`;
const slugOf = (k: number) => titleOf(k).replace(/ /g, '-');

/** Acknowledged: even incidents; of those, every other one by two people pressing on two replicas at once. */
const acknowledged = (k: number) => k % 2 === 0;
const racedAck = (k: number) => k % 4 === 0;

export interface IncidentReport {
  count: number;
  /** the HTTP answers to every /incident and every Acknowledge press */
  acks: Ack[];
  /** incidents without their channel, card, first page (invite, #incidents notice, pager trigger), acknowledgement, pager alert in the right state or escalations */
  lost: string[];
  /** channels, cards, pages, pager events, acknowledgements or escalation steps beyond one each */
  duplicated: string[];
  /** acknowledged incidents that escalated before the acknowledgement landed (not a fault, when the clock ran out first) */
  escalatedBeforeAck: number;
  /** declare -> card posted and the page announced in #incidents, whichever came later (Slack fake ts), ms */
  declareToPaged: number[];
  declarePhaseMs: number;
  queriesPerIncident: number;
}

function channelOf(rig: Rig, k: number) {
  return rig.world.slack.channels().filter((c) => new RegExp(`^inc-\\d+-${slugOf(k)}(-\\d+)?$`).test(c.name));
}

function cardOf(rig: Rig, channel: string) {
  return rig.world.slack.messages(channel).filter((m) => m.blocks?.some((b: any) => b.type === 'header'));
}

const saidIn = (rig: Rig, channel: string) => rig.world.slack.messages(channel).filter((m) => !m.blocks).map((m) => m.text);

function triggers(rig: Rig, k: number) {
  return rig.pager.accepted().filter((e) => e.event_action === 'trigger' && String(e.payload?.summary ?? '').endsWith(`: ${titleOf(k)}`));
}

/** Invites into the channel that name every one of `users`. */
function invites(rig: Rig, channel: string, users: string[]) {
  return rig.world.slack.callsOf('conversations.invite').filter((a) => a.channel === channel && users.every((u) => String(a.users).split(',').includes(u)));
}

/** Waits for incident k's card, then presses Acknowledge (twice at once on two replicas for raced ones). */
async function acknowledge(rig: Rig, k: number): Promise<{ at: number; acks: Ack[] } | null> {
  const { world, replicas } = rig;
  const ready = await waitUntil(world, () => channelOf(rig, k).some((c) => cardOf(rig, c.id).length > 0), { quietMs: 15_000, everyMs: 50 });
  if (!ready) return null;
  const channel = channelOf(rig, k)[0]!;
  const card = cardOf(rig, channel.id)[0]!;
  const button = buttonsOf(card.blocks).find((b) => b.label === 'Acknowledge');
  if (!button) return null;
  const at = Date.now();
  const pressers = racedAck(k) ? [[replicas[(k + 1) % replicas.length]!, ONCALL[0]!], [replicas[k % replicas.length]!, ONCALL[1]!]] as const : [[replicas[(k + 1) % replicas.length]!, ONCALL[0]!]] as const;
  return { at, acks: await Promise.all(pressers.map(([replica, user]) => press(world, replica, button, user, channel.id, card.ts))) };
}

export async function runIncidents(rig: Rig, count: number): Promise<IncidentReport> {
  const { world, replicas } = rig;
  const all = Array.from({ length: count }, (_, k) => k);
  // The schedulers tick every 250 ms on every replica at once, racing for due escalations as their cron ticks would.
  let ticking = true;
  const ticker = (async () => {
    while (ticking) {
      await rig.tick();
      await new Promise((r) => setTimeout(r, 250));
    }
  })();

  const q0 = await rig.queries();
  const t0 = Date.now();
  const declaring = Promise.all(all.map((k) => slash(world, replicas[k % replicas.length]!, '/incident', `sev2 ${titleOf(k)}`, 'U0DEV', 'C0GENERAL')));
  const acking = Promise.all(all.map((k) => (acknowledged(k) ? acknowledge(rig, k) : Promise.resolve(null))));
  const acks = await declaring;
  const pressed = await acking;
  const paged = (k: number) => channelOf(rig, k).some((c) => cardOf(rig, c.id).length > 0 && invites(rig, c.id, ONCALL).length > 0) && triggers(rig, k).length > 0;
  await waitUntil(world, () => all.every(paged), { quietMs: 15_000 });
  const declarePhaseMs = Date.now() - t0;
  // Unacknowledged incidents escalate once per RESPOND_WITHIN_S, through both tiers.
  const escalated = (k: number, tier: number) => channelOf(rig, k).flatMap((c) => saidIn(rig, c.id)).filter((t) => t.includes(`escalated to tier ${tier},`));
  const done = () => all.every((k) => acknowledged(k) || escalated(k, TIERS).length > 0);
  await waitUntil(world, done, { quietMs: (RESPOND_WITHIN_S + 10) * 1000, extra: () => rig.pager.calls.length });
  // One more target period: an acknowledged incident that still escalated, or a tier that fires twice, shows up now.
  await new Promise((r) => setTimeout(r, (RESPOND_WITHIN_S + 1) * 1000));
  ticking = false;
  await ticker;
  await rig.settled();
  const q1 = await rig.queries();

  const lost: string[] = [];
  const duplicated: string[] = [];
  const declareToPaged: number[] = [];
  let escalatedBeforeAck = 0;
  for (const k of all) {
    const title = titleOf(k);
    const channels = channelOf(rig, k);
    const channel = channels[0];
    const cards = channel ? cardOf(rig, channel.id) : [];
    const notices = world.slack.messages('C0INCIDENTS').filter((m) => m.text.includes(`${title}: paging`));
    const pagerTriggers = triggers(rig, k);
    // The pager's alert as it stands: acknowledged for acknowledged incidents, still paging for the others (acknowledge
    // events are idempotent in PagerDuty, one sent for an alert not triggered yet is ignored: the end state is what counts).
    const alerts = [...new Set(pagerTriggers.map((e) => String(e.dedup_key)))].map((key) => rig.pager.alerts.get(key)?.status);
    const alertAsExpected = alerts.length > 0 && alerts.every((status) => status === (acknowledged(k) ? 'acknowledged' : 'triggered'));
    const said = channel ? saidIn(rig, channel.id) : [];
    const ackNotes = said.filter((t) => t.includes('Acknowledged by'));
    const firstPage = channel ? invites(rig, channel.id, ONCALL) : [];
    const tierSteps = [1, 2].map((tier) => ({ tier, said: escalated(k, tier).length, invited: channel ? invites(rig, channel.id, tier === 1 ? LEADS : ['U0CTO']).length : 0 }));
    // An acknowledged incident may have escalated before the press landed: allowed are the tiers due by then (counted
    // from when the commands were sent, the earliest an incident can be declared, plus 2 s for the press to be recorded).
    const steps = tierSteps.filter((s) => s.said > 0).length;
    const ackAt = pressed[k]?.at;
    const allowed = ackAt == null ? TIERS : [1, 2].filter((tier) => t0 + tier * RESPOND_WITHIN_S * 1000 <= ackAt + 2_000).length;
    if (acknowledged(k) && steps > 0) escalatedBeforeAck += 1;

    const missing = [
      channels.length === 0 && `no channel (HTTP ${acks[k]!.status} after ${Math.round(acks[k]!.ms)} ms; answered: ${acks[k]!.said().slice(0, 160) || 'nothing'})`,
      cards.length === 0 && 'no card',
      firstPage.length === 0 && 'on-call not invited',
      notices.length === 0 && 'no page in #incidents',
      pagerTriggers.length === 0 && 'no pager trigger',
      acknowledged(k) && ackNotes.length === 0 && 'acknowledgement not recorded',
      pagerTriggers.length > 0 && !alertAsExpected && `pager alert ${alerts.join(', ')}, not ${acknowledged(k) ? 'acknowledged' : 'triggered'}`,
      ...tierSteps.filter((s) => !acknowledged(k) && (s.said === 0 || s.invited === 0)).map((s) => `tier ${s.tier} not escalated`),
    ].filter((x): x is string => typeof x === 'string');
    if (missing.length > 0) lost.push(`${title}: ${missing.join(', ')}`);
    const extra = [
      channels.length > 1 && `${channels.length} channels`,
      cards.length > 1 && `${cards.length} cards`,
      firstPage.length > 1 && `on-call invited ${firstPage.length} times`,
      notices.length > 1 && `${notices.length} pages in #incidents`,
      pagerTriggers.length > 1 && `${pagerTriggers.length} pager triggers`,
      ackNotes.length > 1 && `${ackNotes.length} acknowledgements`,
      ...tierSteps.filter((s) => s.said > 1 || s.invited > 1).map((s) => `tier ${s.tier} escalated ${Math.max(s.said, s.invited)} times`),
      acknowledged(k) && steps > allowed && `escalated ${steps - allowed} times after it was acknowledged`,
    ].filter((x): x is string => typeof x === 'string');
    if (extra.length > 0) duplicated.push(`${title}: ${extra.join(', ')}`);
    const pagedAt = [cards[0] && tsMs(cards[0].ts), notices[0] && tsMs(notices[0].ts)].filter((x): x is number => typeof x === 'number');
    if (channel && pagedAt.length === 2 && pagerTriggers.length > 0) declareToPaged.push(Math.max(...pagedAt) - t0);
  }
  // Incident numbers are handed out by the store: two replicas must never give one number twice.
  const numbers = world.slack.channels().map((c) => /^inc-(\d+)-bench-incident/.exec(c.name)?.[1]).filter((n): n is string => n !== undefined);
  if (numbers.length !== new Set(numbers).size) duplicated.push(`incident numbers given twice: ${numbers.length - new Set(numbers).size}`);
  return {
    count,
    acks: [...acks, ...pressed.flatMap((p) => p?.acks ?? [])],
    lost,
    duplicated,
    escalatedBeforeAck,
    declareToPaged,
    declarePhaseMs,
    queriesPerIncident: (q1 - q0) / count,
  };
}
