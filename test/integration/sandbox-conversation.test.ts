// What the sandbox page shows beyond channel messages, kept from the Slack fake's change events: private answers,
// answers through response_url, modals opened for the person whose click or command made the trigger_id.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSlackFake, type SlackFake } from '../../src/sandbox/slack/server.js';
import { Conversation } from '../../src/sandbox/web/conversation.js';

const BOT = 'U0FLIGHTDECK';

describe('sandbox page conversation', () => {
  let slack: SlackFake;
  let talk: Conversation;
  let stop: () => void;

  beforeEach(async () => {
    slack = await startSlackFake({ botToken: 'xoxb-t' });
    talk = new Conversation(slack, BOT);
    stop = slack.onChange((change) => talk.apply(change));
  });
  afterEach(async () => {
    stop();
    await slack.close();
  });

  const post = (url: string, body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const api = (method: string, args: Record<string, unknown>) =>
    fetch(`${slack.apiUrl}${method}`, { method: 'POST', headers: { authorization: 'Bearer xoxb-t', 'content-type': 'application/json' }, body: JSON.stringify(args) }).then((r) => r.json() as Promise<{ ok: boolean }>);

  it('keeps a typed command and its ack for the typist only', () => {
    talk.command('U0DEV', 'C0DEPLOYS', '/deploy staging v3.0.0');
    talk.ack('U0DEV', 'C0DEPLOYS', JSON.stringify({ response_type: 'ephemeral', text: 'Checking v3.0.0 for staging…' }));
    talk.ack('U0DEV', 'C0DEPLOYS', '');
    expect(talk.notes.map((n) => [n.from, n.visibleTo, n.text])).toEqual([
      ['system', 'U0DEV', 'U0DEV used /deploy staging v3.0.0'],
      [BOT, 'U0DEV', 'Checking v3.0.0 for staging…'],
    ]);
  });

  it('routes response_url answers to the person and channel they answer: private unless in_channel', async () => {
    const url = talk.responseUrl({ user: 'U0LEAD', channel: 'C0DEPLOYS' });
    await post(url, { response_type: 'ephemeral', text: 'only you' });
    await post(url, { response_type: 'in_channel', text: 'everyone', blocks: [{ type: 'divider' }] });
    const stranger = slack.responseUrl();
    await post(stranger, { text: 'not from the page' });
    expect(talk.notes.map((n) => [n.channel, n.visibleTo ?? 'all', n.text])).toEqual([
      ['C0DEPLOYS', 'U0LEAD', 'only you'],
      ['C0DEPLOYS', 'all', 'everyone'],
    ]);
    expect(talk.notes[1]!.blocks).toEqual([{ type: 'divider' }]);
  });

  it('replaces or deletes a private message its own response_url was made for', async () => {
    const url = talk.responseUrl({ user: 'U0LEAD', channel: 'C0DEPLOYS' });
    await post(url, { text: 'canary at 20%' });
    const note = talk.notes[0]!;
    const again = talk.responseUrl({ user: 'U0LEAD', channel: 'C0DEPLOYS', noteId: note.id });
    await post(again, { replace_original: true, text: 'canary at 40%' });
    expect(talk.notes.map((n) => [n.text, n.edited])).toEqual([['canary at 40%', true]]);
    await post(again, { delete_original: true });
    expect(talk.notes).toEqual([]);
  });

  it('shows chat.postEphemeral to its user only, in its thread', async () => {
    expect((await api('chat.postEphemeral', { channel: 'C0DEPLOYS', user: 'U0DEV', text: 'you may not approve', thread_ts: '1.000001' })).ok).toBe(true);
    expect(talk.notes.map((n) => [n.visibleTo, n.thread_ts, n.text])).toEqual([['U0DEV', '1.000001', 'you may not approve']]);
  });

  it('opens a modal for the person whose trigger_id it names, and updates it by view id', () => {
    const trigger = talk.triggerId('U0ONCALL');
    const view = { type: 'modal', title: { type: 'plain_text', text: 'Resolve INC-1' }, blocks: [] };
    talk.apply({ kind: 'api', method: 'views.open', args: { trigger_id: trigger, view: JSON.stringify(view) }, answer: { ok: true, view: { id: 'V1' } } });
    expect(talk.modals).toEqual([{ id: 'V1', user: 'U0ONCALL', view }]);
    talk.apply({ kind: 'api', method: 'views.update', args: { view_id: 'V1', view: { ...view, title: { type: 'plain_text', text: 'Resolved' } } }, answer: { ok: true } });
    expect(talk.modals[0]!.view.title.text).toBe('Resolved');
    talk.closeModal('V1');
    expect(talk.modals).toEqual([]);
  });
});
