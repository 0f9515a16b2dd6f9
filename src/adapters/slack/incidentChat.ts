// The IncidentChat port over Slack's Web API: channels, invites, topic, the pinned card, events and refusals worded as mrkdwn.
import type { webApi } from '@slack/bolt';
import type { IncidentEvent, IncidentProblem, TimelineEntry } from '../../domain/incidentEvents.js';
import type { Incident } from '../../domain/incidents.js';
import type { ChatThread, Metrics } from '../../ports.js';
import { timed } from '../../runtime/timed.js';
import { incidentEventLine, incidentProblemText, resolveSummary } from '../../wording/incidentEvents.js';
import type { ChannelOutcome, IncidentCardView, IncidentChat } from '../../workflows/incidentPorts.js';
import { incidentCard, incidentTopic } from './blocks/incidentCard.js';
import { slackWords } from './mrkdwn.js';

/** The Slack error code of a failed Web API call, if it was one. */
export function slackErrorOf(err: unknown): string | undefined {
  return (err as { data?: { error?: string } }).data?.error;
}

export class SlackIncidentChat implements IncidentChat {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly metrics: Metrics,
  ) {}

  async createChannel(name: string): Promise<ChannelOutcome> {
    try {
      const res = await this.call('conversations.create', () => this.client.conversations.create({ name, is_private: false }));
      return { created: true, id: res.channel!.id!, name: res.channel!.name ?? name };
    } catch (err) {
      const code = slackErrorOf(err);
      if (code === 'name_taken') return { created: false, why: 'name-taken' };
      if (code?.startsWith('invalid_name')) return { created: false, why: 'invalid-name' };
      // Slack said no for a reason the person can act on (missing scope, restricted action, archived name): say which.
      if (code) return { created: false, why: code };
      throw err;
    }
  }

  async invite(channel: string, users: string[]): Promise<void> {
    if (users.length === 0) return;
    try {
      // force: invite the valid users even when some id is not (deactivated, unknown)
      await this.call('conversations.invite', () => this.client.conversations.invite({ channel, users: users.join(','), force: true }));
    } catch (err) {
      if (slackErrorOf(err) === 'already_in_channel') return;
      throw err;
    }
  }

  async setTopic(channel: string, incident: Incident): Promise<void> {
    await this.call('conversations.setTopic', () => this.client.conversations.setTopic({ channel, topic: incidentTopic(incident) }));
  }

  async postCard(channel: string, incident: Incident, view: IncidentCardView): Promise<string> {
    const card = incidentCard(incident, view);
    const res = await this.call('chat.postMessage', () => this.client.chat.postMessage({ channel, text: card.text, blocks: card.blocks, unfurl_links: false }));
    return res.ts!;
  }

  async updateCard(incident: Incident, view: IncidentCardView): Promise<void> {
    if (!incident.channel || !incident.cardTs) return;
    const card = incidentCard(incident, view);
    await this.call('chat.update', () => this.client.chat.update({ channel: incident.channel!, ts: incident.cardTs!, text: card.text, blocks: card.blocks }));
  }

  async pin(channel: string, ts: string): Promise<void> {
    try {
      await this.call('pins.add', () => this.client.pins.add({ channel, timestamp: ts }));
    } catch (err) {
      if (slackErrorOf(err) !== 'already_pinned') throw err;
    }
  }

  async tell(where: string | ChatThread, incident: Incident, actor: string, event: IncidentEvent): Promise<void> {
    const text = incidentEventLine(slackWords, incident, actor, event);
    const target = typeof where === 'string' ? { channel: where } : { channel: where.channel, thread_ts: where.ts };
    await this.call('chat.postMessage', () => this.client.chat.postMessage({ ...target, text, unfurl_links: false }));
  }

  async summary(where: string, incident: Incident, timeline: TimelineEntry[]): Promise<void> {
    const text = resolveSummary(slackWords, incident, timeline).join('\n');
    await this.call('chat.postMessage', () => this.client.chat.postMessage({ channel: where, text, unfurl_links: false }));
  }

  async permalink(thread: ChatThread): Promise<string | null> {
    const res = await this.call('chat.getPermalink', () => this.client.chat.getPermalink({ channel: thread.channel, message_ts: thread.ts }));
    return res.permalink ?? null;
  }

  async refuse(channel: string, user: string, problem: IncidentProblem): Promise<void> {
    const text = `${slackWords.emoji('warning')} ${incidentProblemText(slackWords, problem)}`;
    await this.call('chat.postEphemeral', () => this.client.chat.postEphemeral({ channel, user, text }));
  }

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return timed(fn, (seconds, ok) => this.metrics.upstream('slack', operation, seconds, ok));
  }
}
