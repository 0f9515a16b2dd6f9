// Reads what people would see in the recorded Slack traffic: request messages, their buttons, thread replies.
import type { World } from '../../src/sandbox/world.js';

export interface SeenRequest {
  ts: string;
  id: string;
  text: string;
  blocks: any[];
  buttons: Array<{ text: string; action_id: string; value: string }>;
  /** all text of the message: fallback + every block's text */
  shown: string;
}

function textsOf(node: unknown, out: string[]): string[] {
  if (Array.isArray(node)) node.forEach((n) => textsOf(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'text' && typeof value === 'string') out.push(value);
      else textsOf(value, out);
    }
  }
  return out;
}

export function buttonsOf(blocks: any[] | undefined): SeenRequest['buttons'] {
  return (blocks ?? [])
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements)
    .filter((e: any) => e.type === 'button')
    .map((e: any) => ({ text: e.text.text, action_id: e.action_id, value: e.value }));
}

/** Top-level messages of the channel that are deploy requests (newest last). */
export function requests(world: World, channel = 'C0DEPLOYS'): SeenRequest[] {
  return world.slack
    .messages(channel)
    .filter((m) => !m.thread_ts && m.blocks)
    .map((m) => {
      const shown = [m.text, ...textsOf(m.blocks, [])].join('\n');
      const id = /\bfd-[0-9a-f]{10}\b/.exec(shown)?.[0] ?? '';
      return { ts: m.ts, id, text: m.text, blocks: m.blocks!, buttons: buttonsOf(m.blocks), shown };
    });
}

export function lastRequest(world: World, channel = 'C0DEPLOYS'): SeenRequest | undefined {
  return requests(world, channel).at(-1);
}

/** Replies in the thread of a message, oldest first. */
export function threadOf(world: World, ts: string, channel = 'C0DEPLOYS'): string[] {
  return world.slack
    .messages(channel)
    .filter((m) => m.thread_ts === ts)
    .map((m) => m.text);
}

/** The answers sent to one command's response_url (only the person who typed it sees them, unless in_channel). */
export function answersTo(world: World, responseUrl: string): string[] {
  return world.slack.responses.filter((r) => r.url === responseUrl).map((r) => [r.body?.text ?? '', ...textsOf(r.body?.blocks, [])].join('\n'));
}

/** Everything said to one person privately by the bot: ephemeral messages addressed to them (clicks are answered so). */
export function privateTo(world: World, user: string): string[] {
  return world.slack.ephemerals(user).map((e) => e.text);
}
