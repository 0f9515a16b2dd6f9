// The Chat port over Slack's Web API: request messages as Block Kit, thread replies, ephemerals, group members.
import type { webApi } from '@slack/bolt';
import { UserError } from '../../domain/errors.js';
import type { DeployRequest } from '../../domain/types.js';
import type { Chat, ChatThread, Metrics, RequestView } from '../../ports.js';
import { requestMessage } from './blocks/request.js';
import { timed } from '../../runtime/timed.js';

export class SlackChat implements Chat {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly metrics: Metrics,
  ) {}

  async postRequest(channel: string, request: DeployRequest, view: RequestView): Promise<ChatThread> {
    const message = requestMessage(request, view);
    try {
      const res = await this.call('chat.postMessage', () => this.client.chat.postMessage({ channel, text: message.text, blocks: message.blocks, unfurl_links: false }));
      return { channel: res.channel ?? channel, ts: res.ts! };
    } catch (err) {
      const code = (err as { data?: { error?: string } }).data?.error;
      if (code === 'not_in_channel' || code === 'channel_not_found' || code === 'is_archived') {
        throw new UserError({ code: 'cannot-post', reason: code });
      }
      throw err;
    }
  }

  async updateRequest(thread: ChatThread, request: DeployRequest, view: RequestView): Promise<void> {
    const message = requestMessage(request, view);
    await this.call('chat.update', () => this.client.chat.update({ channel: thread.channel, ts: thread.ts, text: message.text, blocks: message.blocks }));
  }

  /** A reply in the thread; returns its ts so it can be edited. */
  async postInThread(thread: ChatThread, text: string): Promise<string> {
    const res = await this.call('chat.postMessage', () => this.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text, unfurl_links: false }));
    return res.ts ?? '';
  }

  /** A reply in the thread with blocks (buttons) under its text. */
  async postBlocksInThread(thread: ChatThread, text: string, blocks: object[]): Promise<void> {
    await this.call('chat.postMessage', () => this.client.chat.postMessage({ channel: thread.channel, thread_ts: thread.ts, text, blocks: blocks as never, unfurl_links: false }));
  }

  /** Replaces the text of a reply posted earlier. */
  async updateInThread(thread: ChatThread, ts: string, text: string): Promise<void> {
    await this.call('chat.update', () => this.client.chat.update({ channel: thread.channel, ts, text }));
  }

  /** A plain message in a channel (a notice, an announcement). */
  async post(channel: string, text: string): Promise<ChatThread> {
    const res = await this.call('chat.postMessage', () => this.client.chat.postMessage({ channel, text, unfurl_links: false }));
    return { channel: res.channel ?? channel, ts: res.ts ?? '' };
  }

  async permalink(thread: ChatThread): Promise<string> {
    const res = await this.call('chat.getPermalink', () => this.client.chat.getPermalink({ channel: thread.channel, message_ts: thread.ts }));
    return res.permalink ?? `${thread.channel}/${thread.ts}`;
  }

  async tellUser(channel: string, user: string, text: string): Promise<void> {
    await this.call('chat.postEphemeral', () => this.client.chat.postEphemeral({ channel, user, text }));
  }

  async groupMembers(group: string): Promise<string[]> {
    const res = await this.call('usergroups.users.list', () => this.client.usergroups.users.list({ usergroup: group }));
    return res.users ?? [];
  }

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return timed(fn, (seconds, ok) => this.metrics.upstream('slack', operation, seconds, ok));
  }
}
