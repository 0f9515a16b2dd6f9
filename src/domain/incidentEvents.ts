// What happens to an incident, as data (the timeline), and why Flightdeck refuses an incident command: the edge words both.
import type { Audience, IncidentsConfigView } from './incidentPolicy.js';
import type { Severity } from './incidents.js';
import { UserError } from './problems.js';

export type PagerAction = 'trigger' | 'acknowledge' | 'resolve';

/** One entry of an incident's timeline. Parameters are raw: every audience escapes them once. */
export type IncidentEvent =
  | { type: 'declared'; severity: Severity; title: string; commander: string; targetMs: number }
  | { type: 'declared-from'; runId: string; kind: 'deploy' | 'rollback'; env: string; version: string; link: string | null }
  | { type: 'channel-created'; channel: string; name: string }
  | { type: 'paged'; severity: Severity; audience: Audience; tier: number; channel: string | null }
  | { type: 'pager-sent'; action: PagerAction; attempt: number }
  | { type: 'pager-failed'; action: PagerAction; attempt: number; reason: string; retryInMs: number | null }
  | { type: 'acknowledged'; by: string; afterMs: number }
  | { type: 'escalated'; tier: number; audience: Audience; why: 'no-acknowledgement' | 'button'; afterMs: number }
  | { type: 'regraded'; from: Severity; to: Severity; targetMs: number }
  | { type: 'commander-changed'; from: string; to: string }
  | { type: 'update'; text: string }
  | { type: 'delivery'; kind: 'deploy' | 'rollback'; env: string; version: string; runId: string; outcome: 'requested' | 'succeeded' | 'failed' }
  | { type: 'resolved'; by: string; summary: string | null; timeToAcknowledgeMs: number | null; timeToResolveMs: number }
  | { type: 'postmortem-opened'; repo: string; number: number; url: string }
  | { type: 'postmortem-failed'; repo: string; reason: string };

export type IncidentEventType = IncidentEvent['type'];

export interface TimelineEntry {
  at: number;
  actor: string;
  event: IncidentEvent;
}

/** Which `/incident` usage hint a malformed command gets. */
export type IncidentUsage = 'no-title' | 'sev-argument' | 'lead-argument' | 'update-text' | 'unknown';

/** Why an incident command or button was refused, as data. */
export type IncidentProblem =
  | { code: 'incident-usage'; usage: IncidentUsage; got: string }
  | { code: 'unknown-severity'; given: string; known: Severity[] }
  | { code: 'not-incident-channel'; command: 'resolve' | 'sev' | 'update' | 'lead'; open: Array<{ number: number; channel: string | null }> }
  | { code: 'incident-gone'; number: number | null }
  | { code: 'incident-resolved'; number: number }
  | { code: 'same-severity'; number: number; severity: Severity }
  | { code: 'same-commander'; number: number; commander: string }
  | { code: 'already-acknowledged'; number: number; by: string }
  | { code: 'no-more-tiers'; number: number; tiers: number }
  | { code: 'incident-channel-failed'; reason: string }
  | { code: 'deploy-not-failed'; runId: string }
  | { code: 'incident-freeze'; env: string; number: number; severity: Severity; title: string; channel: string | null }
  | { code: 'incident-action-failed'; reference: string };

/** A refusal the person can act on: a UserError like every refusal; the edge words `problem` for its audience. */
export class IncidentRefusal extends UserError {
  constructor(override readonly problem: IncidentProblem) {
    super(problem);
  }
}

export type { IncidentsConfigView };
