// Drives the incident workflow the way Slack does (slash commands, card buttons, modal submissions) and reads what people see.
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/runtime/clock.js';
import { startPagerFake, type PagerFake } from '../../src/sandbox/pager/server.js';
import { blockActionBody, postToSlackEndpoint } from '../../src/sandbox/slack/requests.js';
import { EXAMPLE_CONFIG, SIGNING_SECRET, startWorld } from '../../src/sandbox/world.js';
import { eventually, startFlightdeck, type Running } from './harness.js';
import { buttonsOf } from './slack-view.js';

export const ROUTING_KEY = 'R0UTINGKEY0123456789abcdef012345';

export function incidentConfig(pagerUrl: string): string {
  return `${EXAMPLE_CONFIG}incidents:
  severities:
    sev1: { respondWithin: 30s, page: { groups: [S0ONCALL] }, escalate: [{ groups: [S0LEADS] }, { users: [U0CTO] }], freezeProduction: true }
    sev2: { respondWithin: 1m, page: { groups: [S0ONCALL], users: [U0SRE] }, escalate: [{ groups: [S0LEADS] }], freezeProduction: true }
    sev3: { respondWithin: 2m, page: { groups: [S0TEAM] } }
    sev4: { respondWithin: 5m, page: { users: [U0TEAMLEAD] } }
  runbooks: { crashloop: "https://runbooks.example/crashloop", database: "https://runbooks.example/database" }
  postmortemRepo: acme/incidents
  pager: { url: "${pagerUrl}", routingKeyEnv: PAGER_ROUTING_KEY, severities: [sev1, sev2] }
`;
}

export interface IncidentRig {
  fd: Running;
  pager: PagerFake;
  clock: ManualClock;
  close(): Promise<void>;
}

/** The app on a world with incident config (changed by `config` where given), a PagerDuty fake and a manual clock. */
export async function startIncidentRig(opts: { config?: (yaml: string) => string } = {}): Promise<IncidentRig> {
  const pager = await startPagerFake({ routingKey: ROUTING_KEY });
  const yaml = incidentConfig(pager.url);
  const world = await startWorld({ config: opts.config ? opts.config(yaml) : yaml });
  world.slack.setUsergroup('S0LEADS', ['U0LEAD1', 'U0LEAD2']);
  world.slack.setUsergroup('S0TEAM', ['U0DEV1', 'U0DEV2']);
  await world.github.createRepo('acme/incidents', { 'README.md': '# incidents\n' });
  const clock = new ManualClock(Date.now());
  const fd = await startFlightdeck({ world, options: { clock, env: { PAGER_ROUTING_KEY: ROUTING_KEY } } });
  return {
    fd,
    pager,
    clock,
    async close() {
      await fd.close();
      await world.close();
      await pager.close();
    },
  };
}

export function incidentSlash(fd: Running, text: string, user: string, channel = 'C0GENERAL') {
  return fd.slash(text, user, { command: '/incident', channel });
}

/** Channels Flightdeck created, in order. */
export function createdChannels(fd: Running): Array<{ id: string; name: string }> {
  const created = fd.world.slack.calls.filter((c) => c.method === 'conversations.create');
  return fd.world.slack.channels().filter((c) => created.some((call) => call.args.name === c.name)).map((c) => ({ id: c.id, name: c.name }));
}

/** Waits for incident n's channel and its card. */
export async function incidentChannel(fd: Running, name: RegExp) {
  const channel = await eventually(() => createdChannels(fd).find((c) => name.test(c.name)), { what: `channel ${name}` });
  await eventually(() => card(fd, channel.id), { what: `card in ${channel.name}` });
  return channel;
}

/** The incident card as it is now. */
export function card(fd: Running, channel: string) {
  const m = fd.world.slack.messages(channel).find((msg) => msg.blocks?.some((b: any) => b.type === 'header'));
  if (!m) return undefined;
  return { ts: m.ts, text: m.text, blocks: m.blocks!, buttons: buttonsOf(m.blocks), shown: JSON.stringify(m.blocks), updates: m.updates };
}

export function said(fd: Running, channel: string): string[] {
  return fd.world.slack.messages(channel).filter((m) => !m.blocks).map((m) => m.text);
}

export function members(fd: Running, channel: string): string[] {
  return fd.world.slack.channels().find((c) => c.id === channel)?.members ?? [];
}

export async function clickCard(fd: Running, channel: string, label: 'Acknowledge' | 'Escalate' | 'Resolve', user: string) {
  const c = card(fd, channel)!;
  const b = c.buttons.find((x) => x.text === label);
  if (!b) throw new Error(`no ${label} button on the card`);
  const body = blockActionBody({ actionId: b.action_id, value: b.value, userId: user, channelId: channel, messageTs: c.ts, responseUrl: fd.world.slack.responseUrl(), text: label });
  return postToSlackEndpoint(`${fd.url}/slack/events`, SIGNING_SECRET, body);
}

/** The views Flightdeck asked Slack to open, newest last. */
export function viewsOpened(fd: Running): any[] {
  return fd.world.slack.calls.filter((c) => c.method === 'views.open').map((c) => (typeof c.args.view === 'string' ? JSON.parse(c.args.view) : c.args.view));
}

/** Submits a modal as Slack does (view_submission), with values per block and action. */
export async function submitView(fd: Running, view: any, user: string, values: Record<string, Record<string, unknown>>) {
  const payload = {
    type: 'view_submission',
    team: { id: 'T0SANDBOX', domain: 'flightdeck-sandbox' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T0SANDBOX' },
    api_app_id: 'A0FLIGHTDECK',
    token: 'sandbox-verification-token',
    trigger_id: `${Date.now()}.1.${randomBytes(8).toString('hex')}`,
    view: { id: 'V0000000001', team_id: 'T0SANDBOX', ...view, state: { values }, hash: '1.1', previous_view_id: null, root_view_id: 'V0000000001', app_id: 'A0FLIGHTDECK', bot_id: 'B0FLIGHTDECK' },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postToSlackEndpoint(`${fd.url}/slack/events`, SIGNING_SECRET, body);
}
