// What the sandbox page shows beyond the Slack fake's channel messages: typed commands, private replies, answers
// through response_url and modals, kept from the fake's change events so the page can be rebuilt at any time.
import { randomBytes } from 'node:crypto';
import type { SlackChange, SlackFake } from '../slack/server.js';

/** A message in a channel as the page draws it; `visibleTo` set means "only visible to you". */
export interface PageMessage {
  id: string;
  channel: string;
  ts: string;
  thread_ts?: string;
  /** the bot's user id, a person's id, or "system" for a typed slash command */
  from: string;
  text: string;
  blocks?: unknown[];
  edited: boolean;
  visibleTo?: string;
}

export interface PageModal {
  id: string;
  user: string;
  view: Record<string, any>;
  /** errors from the last submission, by block id */
  errors?: Record<string, string>;
}

/** Where an answer to a response_url lands: the person and channel of the command or click that made it. */
interface Origin {
  user: string;
  channel: string;
  /** the private note the URL was made for (a button in an ephemeral message) */
  noteId?: string;
}

export class Conversation {
  readonly notes: PageMessage[] = [];
  readonly modals: PageModal[] = [];
  /** channel topics as set through conversations.setTopic */
  readonly topics = new Map<string, string>();
  private readonly origins = new Map<string, Origin>();
  private readonly triggers = new Map<string, string>();
  private counter = 0;
  private lastMicros = 0;

  constructor(
    private readonly slack: SlackFake,
    private readonly botUser: string,
  ) {}

  /** A ts after every other one, in Slack's format, so notes sort among the fake's messages. */
  nextTs(): string {
    this.lastMicros = Math.max(Date.now() * 1000, this.lastMicros + 1);
    return `${Math.floor(this.lastMicros / 1e6)}.${String(this.lastMicros % 1e6).padStart(6, '0')}`;
  }

  /** A response_url for an answer to this person in this channel. */
  responseUrl(origin: Origin, forMessage?: { channel: string; ts: string }): string {
    const url = this.slack.responseUrl(forMessage);
    this.origins.set(url, origin);
    return url;
  }

  /** A trigger_id that remembers who pressed or typed, so a modal it opens shows to that person. */
  triggerId(user: string): string {
    this.counter += 1;
    const id = `${Date.now()}.${this.counter}.${randomBytes(8).toString('hex')}`; // the form Slack's (and the fake's) take
    this.triggers.set(id, user);
    return id;
  }

  /** The command as typed; like in Slack, only its author sees it. */
  command(user: string, channel: string, text: string): void {
    this.add({ channel, from: 'system', text: `${user} used ${text}`, visibleTo: user });
  }

  /** The immediate answer to a slash command (Bolt's ack body), said privately unless in_channel. */
  ack(user: string, channel: string, body: string): void {
    let parsed: { text?: string; blocks?: unknown[]; response_type?: string };
    try {
      parsed = JSON.parse(body);
    } catch {
      return;
    }
    if (!parsed.text && !parsed.blocks) return;
    this.add({ channel, from: this.botUser, text: parsed.text ?? '', ...(parsed.blocks ? { blocks: parsed.blocks } : {}), ...(parsed.response_type === 'in_channel' ? {} : { visibleTo: user }) });
  }

  /** Applies one change the Slack fake reported. */
  apply(change: SlackChange): void {
    if (change.kind === 'response') return this.response(change.url, change.body);
    const { method, args, answer } = change;
    if (method === 'conversations.setTopic') {
      this.topics.set(String(args.channel), String(args.topic ?? ''));
    } else if (method === 'chat.postEphemeral') {
      this.add({ channel: String(args.channel), from: this.botUser, text: String(args.text ?? ''), ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}), visibleTo: String(args.user), ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}) });
    } else if (method === 'views.open' || method === 'views.push') {
      const user = this.triggers.get(String(args.trigger_id)) ?? '';
      const id = (answer.view as { id?: string } | undefined)?.id ?? `V${this.nextTs().replace('.', '')}`;
      this.modals.push({ id, user, view: viewOf(args.view) });
    } else if (method === 'views.update') {
      const modal = this.modals.find((m) => m.id === args.view_id);
      if (modal) modal.view = viewOf(args.view);
    }
  }

  closeModal(id: string): void {
    const at = this.modals.findIndex((m) => m.id === id);
    if (at >= 0) this.modals.splice(at, 1);
  }

  private response(url: string, body: any): void {
    const origin = this.origins.get(url);
    if (!origin || !body || typeof body !== 'object') return;
    const note = origin.noteId ? this.notes.find((n) => n.id === origin.noteId) : undefined;
    if (note && body.delete_original === true) {
      this.notes.splice(this.notes.indexOf(note), 1);
      return;
    }
    if (note && body.replace_original === true) {
      Object.assign(note, { text: String(body.text ?? ''), blocks: body.blocks, edited: true });
      return;
    }
    if (body.replace_original === true || body.delete_original === true) return; // the fake changed the channel message
    const inChannel = body.response_type === 'in_channel';
    this.add({ channel: origin.channel, from: this.botUser, text: String(body.text ?? ''), ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}), ...(inChannel ? {} : { visibleTo: origin.user }) });
  }

  private add(message: Omit<PageMessage, 'id' | 'ts' | 'edited'> & { ts?: string }): void {
    const ts = message.ts ?? this.nextTs();
    const clean = Object.fromEntries(Object.entries(message).filter(([, v]) => v !== undefined)) as Omit<PageMessage, 'id' | 'ts' | 'edited'>;
    this.notes.push({ ...clean, id: `note-${ts}`, ts, edited: false });
  }
}

/** A view argument as the Web API client sends it: an object, or JSON in a form field. */
function viewOf(raw: unknown): Record<string, any> {
  if (typeof raw !== 'string') return (raw ?? {}) as Record<string, any>;
  try {
    return JSON.parse(raw) as Record<string, any>;
  } catch {
    return {};
  }
}
