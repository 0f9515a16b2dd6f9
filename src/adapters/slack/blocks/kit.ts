// Small Block Kit constructors and Slack's size limits, shared by the message builders.
import { truncate } from '../mrkdwn.js';

/** Slack's limits (PROTOCOLS.md, Block Kit). */
export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  /** the notification fallback; Slack truncates longer top-level text */
  fallbackText: 3000,
} as const;

/** A built message: `text` is the notification fallback, `blocks` what people see. */
export interface SlackMessage {
  text: string;
  // Block Kit objects are plain JSON (typed loosely so Bolt's block unions accept them).
  blocks: any[];
}

export function header(text: string): object {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, LIMITS.headerText), emoji: true } };
}

/** A mrkdwn section; `text` must already be escaped mrkdwn. */
export function section(text: string): object {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } };
}

/** A context line of mrkdwn elements (already escaped). */
export function context(parts: string[]): object {
  const elements = parts.slice(0, LIMITS.contextElements).map((part) => ({ type: 'mrkdwn', text: truncate(part, LIMITS.sectionText) }));
  return { type: 'context', elements };
}

export function divider(): object {
  return { type: 'divider' };
}

export function button(input: { text: string; actionId: string; value: string; style?: 'primary' | 'danger' }): object {
  return {
    type: 'button',
    text: { type: 'plain_text', text: truncate(input.text, LIMITS.buttonText), emoji: true },
    action_id: input.actionId.slice(0, LIMITS.actionId),
    value: input.value.slice(0, LIMITS.buttonValue),
    ...(input.style ? { style: input.style } : {}),
  };
}

export function actions(blockId: string, elements: object[]): object {
  return { type: 'actions', block_id: blockId.slice(0, LIMITS.blockId), elements: elements.slice(0, LIMITS.actionsElements) };
}

/**
 * Joins lines into as few texts as fit `max` characters each, never splitting a line
 * (a line longer than `max` is shortened). Keeps mentions and links whole.
 */
export function packLines(lines: string[], max: number = LIMITS.sectionText, separator = '\n'): string[] {
  const texts: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = truncate(raw, max);
    if (!current) {
      current = line;
    } else if (current.length + separator.length + line.length <= max) {
      current += separator + line;
    } else {
      texts.push(current);
      current = line;
    }
  }
  if (current) texts.push(current);
  return texts;
}

export { slackDate } from '../mrkdwn.js';

export function shortSha(sha: string): string {
  return sha.slice(0, 7);
}
