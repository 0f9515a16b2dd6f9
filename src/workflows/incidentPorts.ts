// The ports the incident workflow needs beyond the shared ones: its store records, its Slack front, the pager, postmortems.
import type { Logger } from '../runtime/logger.js';
import type { ChatThread, Clock } from '../ports.js';
import type { Incident, IncidentGuard, IncidentPatch, IncidentState, NewIncident } from '../domain/incidents.js';
import type { IncidentEvent, IncidentProblem, PagerAction, TimelineEntry } from '../domain/incidentEvents.js';
import type { IncidentsConfigView, PagerSeverity } from '../domain/incidentPolicy.js';

/** Incident records and their timelines; part of the Store port. Every update is a compare-and-set. */
export interface IncidentStore {
  /** Records a new incident (state open, tier 0, clock started at declaredAt) and gives it the next number. */
  createIncident(input: NewIncident): Promise<Incident>;
  getIncident(number: number): Promise<Incident | null>;
  /** The incident whose channel this is, or null. */
  incidentInChannel(channel: string): Promise<Incident | null>;
  /** Incidents in these states, oldest first. */
  listIncidents(states: IncidentState[]): Promise<Incident[]>;
  /** Applies the patch only while the guard holds (state, and tier when given); returns the new record or null. */
  updateIncident(number: number, guard: IncidentGuard, patch: IncidentPatch, at: number): Promise<Incident | null>;
  addTimeline(number: number, entry: TimelineEntry): Promise<void>;
  /** Oldest first. */
  timelineOf(number: number): Promise<TimelineEntry[]>;
}

/** What the card shows beyond the record: the current target, when it is due and the runbooks. */
export interface IncidentCardView {
  targetMs: number;
  /** when the current tier's response target is due; null once acknowledged or resolved */
  dueAt: number | null;
  runbooks: Array<{ name: string; url: string }>;
  now: number;
}

export type ChannelOutcome = { created: true; id: string; name: string } | { created: false; why: 'name-taken' | 'invalid-name' | (string & {}) };

/** The Slack side of incidents. The adapter words events and problems; workflows hand over data only. */
export interface IncidentChat {
  createChannel(name: string): Promise<ChannelOutcome>;
  /** Invites users not yet in the channel; unknown or deactivated users are skipped (and logged). */
  invite(channel: string, users: string[]): Promise<void>;
  setTopic(channel: string, incident: Incident, view: IncidentCardView): Promise<void>;
  postCard(channel: string, incident: Incident, view: IncidentCardView): Promise<string>;
  updateCard(incident: Incident, view: IncidentCardView): Promise<void>;
  pin(channel: string, ts: string): Promise<void>;
  /** Says an event in a channel (or a thread of it). */
  tell(where: string | ChatThread, incident: Incident, actor: string, event: IncidentEvent): Promise<void>;
  /** The resolve summary (time to acknowledge and resolve, who did what) from the whole timeline. */
  summary(where: string, incident: Incident, timeline: TimelineEntry[]): Promise<void>;
  permalink(thread: ChatThread): Promise<string | null>;
  refuse(channel: string, user: string, problem: IncidentProblem): Promise<void>;
}

/** One event for an external pager (PagerDuty Events API v2). */
export interface PagerEvent {
  action: PagerAction;
  dedupKey: string;
  summary: string;
  severity: PagerSeverity;
  source: string;
  links: Array<{ href: string; text: string }>;
  customDetails: Record<string, string>;
}

/** `retry`: a 5xx, 429 or network failure that may pass later; `rejected`: the pager refused the event (4xx). */
export type PagerOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

export interface Pager {
  send(event: PagerEvent): Promise<PagerOutcome>;
}

/** Postmortem issues in the GitHub repository `incidents.postmortemRepo`. */
export interface PostmortemIssues {
  /** An existing issue with exactly this title (a create whose answer was lost), or null. */
  find(repo: string, title: string): Promise<{ number: number; url: string } | null>;
  create(repo: string, title: string, body: string, labels: string[]): Promise<{ number: number; url: string }>;
}

/** What the incident workflow is given. */
export interface IncidentDeps {
  config: { incidents: IncidentsConfigView; channels: { incidents?: string | undefined } };
  store: IncidentStore;
  chat: IncidentChat;
  /** null when no pager is configured (or its routing key is missing) */
  pager: Pager | null;
  postmortems: PostmortemIssues | null;
  /** the issue body in GitHub markdown */
  postmortemBody: (incident: Incident, timeline: TimelineEntry[]) => string;
  members: { of(groups: string[]): Promise<Map<string, string[]>> };
  clock: Clock;
  log: Logger;
  /** schedules and cancels the store's timers */
  timers: { schedule(kind: string, key: string, dueAt: number): Promise<void>; cancel(kind: string, key: string): Promise<void> };
}
