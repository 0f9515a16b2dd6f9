// What the page's person does, sent to Flightdeck exactly as Slack would: signed slash commands, button clicks and modal submissions.
import { blockActionBody, postToSlackEndpoint, slashCommandBody } from '../slack/requests.js';
import { SANDBOX } from '../slack/webApi.js';
import type { SlackFake } from '../slack/server.js';
import type { Conversation, PageModal } from './conversation.js';

export interface Target {
  /** Flightdeck's Slack endpoint, e.g. http://127.0.0.1:PORT/slack/events */
  eventsUrl: string;
  signingSecret: string;
  slack: SlackFake;
  conversation: Conversation;
  channelName(id: string): string;
}

export interface Click {
  user: string;
  channel: string;
  /** ts of the channel message, or id of the private note, the button sits in */
  messageTs?: string;
  noteId?: string;
  actionId: string;
  blockId?: string;
  value?: string;
  text?: string;
}

/** `/deploy staging v3.0.0` typed by `user` in `channel`; the ack body is shown like Slack shows it. */
export async function sendCommand(t: Target, user: string, channel: string, line: string): Promise<number> {
  const [command, ...rest] = line.trim().split(/\s+/);
  t.conversation.command(user, channel, line.trim());
  const body = slashCommandBody({
    command: command!,
    text: rest.join(' '),
    userId: user,
    channelId: channel,
    channelName: t.channelName(channel),
    responseUrl: t.conversation.responseUrl({ user, channel }),
    triggerId: t.conversation.triggerId(user),
  });
  const res = await postToSlackEndpoint(t.eventsUrl, t.signingSecret, body);
  if (res.status === 200) t.conversation.ack(user, channel, res.body);
  return res.status;
}

export async function sendClick(t: Target, click: Click): Promise<number> {
  const note = click.noteId ? t.conversation.notes.find((n) => n.id === click.noteId) : undefined;
  const message = note ?? t.slack.messages(click.channel).find((m) => m.ts === click.messageTs);
  const ts = note?.ts ?? click.messageTs ?? '';
  const responseUrl = t.conversation.responseUrl(
    { user: click.user, channel: click.channel, ...(note ? { noteId: note.id } : {}) },
    note ? undefined : { channel: click.channel, ts },
  );
  const body = blockActionBody({
    actionId: click.actionId,
    value: click.value ?? '',
    userId: click.user,
    channelId: click.channel,
    channelName: t.channelName(click.channel),
    messageTs: ts,
    responseUrl,
    ...(click.blockId ? { blockId: click.blockId } : {}),
    ...(click.text ? { text: click.text } : {}),
    messageText: message?.text ?? '',
    messageBlocks: (message?.blocks as any[] | undefined) ?? [],
    triggerId: t.conversation.triggerId(click.user),
  });
  return (await postToSlackEndpoint(t.eventsUrl, t.signingSecret, body)).status;
}

/**
 * A `view_submission` with the values typed into the modal's inputs (state.values[block_id][action_id]), as Slack
 * sends it. Slack's answer rules: an empty 200 closes the modal; `response_action: errors` keeps it open with the
 * messages under the inputs; `update` replaces it; `clear` closes the whole stack.
 */
export async function sendSubmission(t: Target, modal: PageModal, values: Record<string, Record<string, unknown>>): Promise<void> {
  const payload = {
    type: 'view_submission',
    team: { id: SANDBOX.teamId, domain: SANDBOX.teamDomain },
    user: { id: modal.user, username: modal.user.toLowerCase(), name: modal.user.toLowerCase(), team_id: SANDBOX.teamId },
    api_app_id: SANDBOX.appId,
    token: 'sandbox-verification-token',
    trigger_id: t.conversation.triggerId(modal.user),
    view: { ...modal.view, id: modal.id, team_id: SANDBOX.teamId, type: 'modal', state: { values }, hash: modal.id, app_id: SANDBOX.appId, bot_id: SANDBOX.botId },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const res = await postToSlackEndpoint(t.eventsUrl, t.signingSecret, body);
  let answer: { response_action?: string; errors?: Record<string, string>; view?: Record<string, any> } = {};
  try {
    answer = res.body ? JSON.parse(res.body) : {};
  } catch {
    answer = {};
  }
  if (answer.response_action === 'errors') modal.errors = answer.errors ?? {};
  else if (answer.response_action === 'update' && answer.view) Object.assign(modal, { view: answer.view, errors: undefined });
  else t.conversation.closeModal(modal.id);
}
