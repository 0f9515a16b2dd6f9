// Web API methods the incident workflow uses, added to the Slack fake: channel topics, pins and modals (views).
//
// How they may differ from slack.com (write new differences down here):
// - conversations.setTopic: `too_long` above 250 characters; the topic is stored as given (Slack strips formatting).
// - pins.add: the message must exist (`message_not_found`), a second pin is `already_pinned`; no pin limit.
// - views.open/push: a trigger_id made by the sandbox (`<epoch ms>.<n>.<hex>`) expires after 3 s like Slack's
//   (`expired_trigger_id`); anything else not of that form is `invalid_trigger_id`. The view is checked for type,
//   a plain_text title of at most 24 characters, at most 100 blocks, callback_id <= 255 and private_metadata
//   <= 3000 characters (`invalid_arguments`). views.update takes a view_id the fake handed out.
import type { Answer, Args, Workspace } from './webApi.js';

type Method = (ws: Workspace, args: Args) => Answer;

const TRIGGER_TTL_MS = 3_000;
const fail = (error: string, extra: Answer = {}): Answer => ({ ok: false, error, ...extra });

interface FakeView {
  id: string;
  view: Record<string, any>;
  hash: string;
}

const viewsOf = new WeakMap<Workspace, FakeView[]>();
const pinsOf = new WeakMap<Workspace, Set<string>>();
const topicsOf = new WeakMap<Workspace, Map<string, string>>();

function listOf<T>(map: WeakMap<Workspace, T>, ws: Workspace, make: () => T): T {
  let value = map.get(ws);
  if (value === undefined) map.set(ws, (value = make()));
  return value;
}

/** The WebClient sends `view` as a JSON string in a form body, as Slack accepts it. */
function viewArg(args: Args): void {
  if (typeof args.view !== 'string') return;
  try {
    args.view = JSON.parse(args.view);
  } catch {
    args.view = null;
  }
}

function viewProblem(view: unknown): string | null {
  if (!view || typeof view !== 'object') return 'view is required';
  const v = view as Record<string, any>;
  if (v.type !== 'modal') return 'view.type must be modal';
  if (v.title?.type !== 'plain_text' || typeof v.title.text !== 'string' || v.title.text.length > 24) return 'view.title must be plain_text of at most 24 characters';
  if (!Array.isArray(v.blocks) || v.blocks.length > 100) return 'view.blocks must be an array of at most 100 blocks';
  if (typeof v.callback_id === 'string' && v.callback_id.length > 255) return 'view.callback_id must be at most 255 characters';
  if (typeof v.private_metadata === 'string' && v.private_metadata.length > 3000) return 'view.private_metadata must be at most 3000 characters';
  return null;
}

function triggerProblem(trigger: unknown): string | null {
  const m = /^(\d{13})\.\d+\.[0-9a-f]+$/.exec(String(trigger ?? ''));
  if (!m) return 'invalid_trigger_id';
  return Date.now() - Number(m[1]) > TRIGGER_TTL_MS ? 'expired_trigger_id' : null;
}

function openView(ws: Workspace, args: Args): Answer {
  viewArg(args);
  const trigger = triggerProblem(args.trigger_id);
  if (trigger) return fail(trigger);
  const problem = viewProblem(args.view);
  if (problem) return fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${problem}`] } });
  const views = listOf(viewsOf, ws, () => []);
  const stored: FakeView = { id: `V${String(views.length + 1).padStart(10, '0')}`, view: args.view, hash: `${Date.now()}.${views.length}` };
  views.push(stored);
  return { ok: true, view: shape(stored) };
}

function shape(v: FakeView): Answer {
  return { id: v.id, team_id: 'T0SANDBOX', ...v.view, private_metadata: v.view.private_metadata ?? '', callback_id: v.view.callback_id ?? '', state: { values: {} }, hash: v.hash };
}

const updateView: Method = (ws, args) => {
  viewArg(args);
  const stored = listOf(viewsOf, ws, () => []).find((v) => v.id === args.view_id);
  if (!stored) return fail('not_found');
  const problem = viewProblem(args.view);
  if (problem) return fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] ${problem}`] } });
  stored.view = args.view;
  stored.hash = `${Date.now()}.${stored.id}`;
  return { ok: true, view: shape(stored) };
};

const setTopic: Method = (ws, args) => {
  const channel = String(args.channel ?? '');
  if (!channel) return fail('channel_not_found');
  const topic = String(args.topic ?? '');
  if (topic.length > 250) return fail('too_long');
  listOf(topicsOf, ws, () => new Map()).set(channel, topic);
  const known = ws.channels.get(channel);
  return { ok: true, channel: { id: channel, name: known?.name ?? channel.toLowerCase(), topic: { value: topic, creator: 'U0FLIGHTDECK', last_set: Math.floor(Date.now() / 1000) } } };
};

const addPin: Method = (ws, args) => {
  const channel = String(args.channel ?? '');
  const ts = String(args.timestamp ?? '');
  if (!ws.messages.some((m) => m.channel === channel && m.ts === ts)) return fail('message_not_found');
  const pins = listOf(pinsOf, ws, () => new Set());
  if (pins.has(`${channel}/${ts}`)) return fail('already_pinned');
  pins.add(`${channel}/${ts}`);
  return { ok: true };
};

export const INCIDENT_METHODS: Record<string, Method> = {
  'conversations.setTopic': setTopic,
  'pins.add': addPin,
  'views.open': openView,
  'views.push': openView,
  'views.update': updateView,
};

/** What the incident methods hold, for tests: topics by channel, pinned "channel/ts" pairs, opened views. */
export function incidentState(ws: Workspace): { topics: Map<string, string>; pins: Set<string>; views: Array<{ id: string; view: Record<string, any> }> } {
  return { topics: listOf(topicsOf, ws, () => new Map()), pins: listOf(pinsOf, ws, () => new Set()), views: listOf(viewsOf, ws, () => []) };
}
