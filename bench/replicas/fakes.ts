// What the fakes recorded, read the way the bench counts effects: never from Flightdeck's own store or claims.
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../../src/sandbox/slack/requests.js';
import { SIGNING_SECRET, type World } from '../../src/sandbox/world.js';
import type { Replica } from './rig.js';

/** Slack shows the person an error (operation_timeout) when the app has not answered a request within this. */
export const SLACK_ACK_LIMIT_MS = 3_000;

/** The HTTP answer to one request sent as Slack sends it: its status and how long it took. */
export interface Ack {
  status: number;
  ms: number;
}

/** Answered 200 within Slack's 3 s: anything else Slack reports to the person as failed. */
export const inTime = (a: Ack) => a.status === 200 && a.ms <= SLACK_ACK_LIMIT_MS;

/** A slash command sent to one replica, signed as Slack signs it; `said` reads what the bot answered the person privately. */
export async function slash(world: World, replica: Replica, command: string, text: string, user: string, channel: string): Promise<Ack & { said: () => string }> {
  const responseUrl = world.slack.responseUrl();
  const body = slashCommandBody({ command, text, userId: user, channelId: channel, responseUrl });
  const res = await postToSlackEndpoint(`${replica.url}/slack/events`, SIGNING_SECRET, body);
  const said = () => [res.body, ...world.slack.responses.filter((r) => r.url === responseUrl).map((r) => JSON.stringify(r.body?.text ?? r.body))].filter(Boolean).join(' | ');
  return { status: res.status, ms: res.ms, said };
}

/** A button pressed in a message, sent to one replica. */
export async function press(world: World, replica: Replica, button: { action: string; value: string; label: string }, user: string, channel: string, messageTs: string): Promise<Ack> {
  const body = blockActionBody({ actionId: button.action, value: button.value, userId: user, channelId: channel, messageTs, responseUrl: world.slack.responseUrl(), text: button.label });
  const res = await postToSlackEndpoint(`${replica.url}/slack/events`, SIGNING_SECRET, body);
  return { status: res.status, ms: res.ms };
}

export function buttonsOf(blocks: any[] | undefined): Array<{ action: string; value: string; label: string }> {
  return (blocks ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e: any) => e.type === 'button')
    .map((e: any) => ({ action: String(e.action_id), value: String(e.value ?? ''), label: String(e.text?.text ?? '') }));
}

/** Slack's ts ("1718000000.000123") as epoch milliseconds: the fake hands out ts from its wall clock. */
export const tsMs = (ts: string) => Number(ts) * 1000;

/** A number that changes whenever any fake answered a request or any simulator moved: the bench waits while it moves. */
export function activity(world: World, extra = 0): number {
  return world.slack.calls.length + world.github.calls.length + world.kube.calls.length + world.slack.messages().length + extra;
}

/**
 * Polls until `done` holds, or until nothing happened in the fakes for `quietMs` (then whatever is missing is lost: it
 * would not come later either). Returns whether `done` held.
 */
export async function waitUntil(world: World, done: () => boolean | Promise<boolean>, opts: { quietMs: number; extra?: () => number; everyMs?: number }): Promise<boolean> {
  let last = -1;
  let since = Date.now();
  for (;;) {
    if (await done()) return true;
    const now = activity(world, opts.extra?.() ?? 0);
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since > opts.quietMs) return false;
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 20));
  }
}

/** p-th percentile (nearest rank) of a list of numbers; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
