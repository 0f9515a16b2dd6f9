// Checks a built Slack message against Block Kit's size limits; shared by the builder tests.
import { expect } from 'vitest';

interface Block {
  type: string;
  block_id?: string;
  text?: { type: string; text: string };
  elements?: Array<{ type: string; text?: { text: string } | string; action_id?: string; value?: string }>;
}

export function expectWithinLimits(message: { text: string; blocks: unknown[] }): void {
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  expect(message.text.length).toBeGreaterThan(0);
  for (const raw of message.blocks) {
    const block = raw as Block;
    if (block.block_id !== undefined) expect(block.block_id.length).toBeLessThanOrEqual(255);
    if (block.type === 'section') expect(block.text!.text.length).toBeLessThanOrEqual(3000);
    if (block.type === 'header') expect(block.text!.text.length).toBeLessThanOrEqual(150);
    if (block.type === 'context') {
      expect(block.elements!.length).toBeLessThanOrEqual(10);
      for (const el of block.elements!) expect((el.text as string).length).toBeLessThanOrEqual(3000);
    }
    if (block.type === 'actions') {
      expect(block.elements!.length).toBeLessThanOrEqual(25);
      for (const el of block.elements!) {
        expect((el.text as { text: string }).text.length).toBeLessThanOrEqual(75);
        expect(el.action_id!.length).toBeLessThanOrEqual(255);
        expect(el.value!.length).toBeLessThanOrEqual(2000);
      }
    }
  }
}

/** Every piece of text a person can see in the message. */
export function allText(message: { text: string; blocks: unknown[] }): string {
  return [message.text, JSON.stringify(message.blocks)].join('\n');
}
