// Test helpers for canary control: a world with a Prometheus fake, presses of the canary buttons, status messages and gate calls as Flagger makes them.
import { blockActionBody, postToSlackEndpoint } from '../../src/sandbox/slack/requests.js';
import { startPrometheusFake, type PrometheusFake } from '../../src/sandbox/prometheus/server.js';
import { EXAMPLE_CONFIG, SIGNING_SECRET, startWorld } from '../../src/sandbox/world.js';
import { canaryChecksum } from '../../src/sandbox/kube/flaggerHooks.js';
import { eventually, startFlightdeck, type Running } from './harness.js';
import { buttonsOf } from './slack-view.js';

export interface CanaryWorld {
  fd: Running;
  prometheus: PrometheusFake;
  close(): Promise<void>;
}

/** Flightdeck on the example world, with `prometheus.url` pointing at a Prometheus fake. */
export async function startCanaryWorld(opts: { prometheus?: boolean; env?: Record<string, string> } = {}): Promise<CanaryWorld> {
  const prometheus = await startPrometheusFake();
  const config = opts.prometheus === false ? EXAMPLE_CONFIG : `${EXAMPLE_CONFIG}prometheus: { url: ${prometheus.url} }\n`;
  const world = await startWorld({ config });
  const fd = await startFlightdeck({ world, ...(opts.env ? { env: opts.env } : {}) });
  return {
    fd,
    prometheus,
    async close() {
      await fd.close();
      await world.close();
      await prometheus.close();
    },
  };
}

/** A press of one of the canary buttons, signed as Slack sends it. */
export async function press(fd: Running, actionId: string, value: string, user: string, messageTs: string, channel = 'C0DEPLOYS'): Promise<number> {
  const body = blockActionBody({ actionId, value, userId: user, channelId: channel, messageTs, responseUrl: fd.world.slack.responseUrl() });
  return (await postToSlackEndpoint(`${fd.url}/slack/events`, SIGNING_SECRET, body)).status;
}

export interface StatusMessage {
  ts: string;
  text: string;
  /** every mrkdwn text of the blocks, joined */
  shown: string;
  buttons: Array<{ text: string; action_id: string; value: string }>;
}

function statusMessages(fd: Running, channel: string): StatusMessage[] {
  return fd.world.slack
    .messages(channel)
    .filter((m) => !m.thread_ts && m.blocks && JSON.stringify(m.blocks).includes('Flagger canary status'))
    .map((m) => ({ ts: m.ts, text: m.text, shown: JSON.stringify(m.blocks).replace(/\\n/g, '\n'), buttons: buttonsOf(m.blocks) }));
}

/** Types `/canary-status <text>` and returns the status message it posts. */
export async function canaryStatusOf(fd: Running, text: string, user = 'U0DEV', channel = 'C0DEPLOYS'): Promise<StatusMessage> {
  const before = statusMessages(fd, channel).length;
  const res = await fd.slash(text, user, { command: '/canary-status', channel });
  if (res.status !== 200) throw new Error(`ack ${res.status}`);
  return eventually(() => statusMessages(fd, channel).length > before && statusMessages(fd, channel).at(-1), { what: 'canary status message' });
}

/** POSTs a gate webhook as Flagger does for the canary's current revision; returns the status. */
export async function askGate(fd: Running, path: string, canary = { namespace: 'production', name: 'backend' }, checksum?: string, metadata: Record<string, string> = {}): Promise<number> {
  const object = fd.world.kube.get('flagger.app/v1beta1', 'Canary', canary.namespace, canary.name);
  const body = { name: canary.name, namespace: canary.namespace, phase: object?.status?.phase ?? 'Progressing', checksum: checksum ?? canaryChecksum(object), metadata };
  const res = await fetch(`${fd.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.text();
  return res.status;
}

/** Thread replies of a message. */
export function repliesTo(fd: Running, ts: string, channel = 'C0DEPLOYS'): string[] {
  return fd.world.slack
    .messages(channel)
    .filter((m) => m.thread_ts === ts)
    .map((m) => m.text);
}
