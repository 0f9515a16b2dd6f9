// Incidents as data: severities, the incident record, its states and the moves between them (the one state table).

export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** open: the clock runs; acknowledged: someone is on it, the clock stopped; resolved: over. */
export type IncidentState = 'open' | 'acknowledged' | 'resolved';

/** Allowed moves. open -> open and acknowledged -> open are re-grades, which restart the clock. */
export const INCIDENT_MOVES: Readonly<Record<IncidentState, readonly IncidentState[]>> = {
  open: ['open', 'acknowledged', 'resolved'],
  acknowledged: ['acknowledged', 'open', 'resolved'],
  resolved: [],
};

export function canMove(from: IncidentState, to: IncidentState): boolean {
  return INCIDENT_MOVES[from].includes(to);
}

/** A deploy or rollback an incident was declared from ("Declare incident" in its thread). */
export interface IncidentOrigin {
  runId: string;
  kind: 'deploy' | 'rollback';
  env: string;
  version: string;
  thread: { channel: string; ts: string } | null;
}

export interface Incident {
  /** the n of INC-n */
  number: number;
  severity: Severity;
  title: string;
  state: IncidentState;
  declarer: string;
  commander: string;
  /** the incident channel, once created */
  channel: string | null;
  channelName: string | null;
  /** the pinned incident card in the incident channel */
  cardTs: string | null;
  declaredAt: number;
  /** when the response clock of the current tier started: declare, re-grade or escalation */
  clockStartedAt: number;
  /** escalation tiers reached since the clock started (0: only the severity's own responders were paged) */
  tier: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  summary: string | null;
  /** the external pager's dedup key once a trigger was sent for this incident */
  pagerKey: string | null;
  postmortemUrl: string | null;
  origin: IncidentOrigin | null;
  updatedAt: number;
}

export type NewIncident = Pick<Incident, 'severity' | 'title' | 'declarer' | 'declaredAt' | 'origin'>;

/** Fields an update may set; `number` and `declaredAt` never change. */
export type IncidentPatch = Partial<Omit<Incident, 'number' | 'declaredAt' | 'updatedAt'>>;

/** What must still hold for an update to apply (compare-and-set). */
export interface IncidentGuard {
  states: readonly IncidentState[];
  tier?: number;
}

/** "INC-42" */
export function incidentId(number: number): string {
  return `INC-${number}`;
}

/** 42 for "INC-42", "inc-42" or "42"; null otherwise. */
export function parseIncidentId(text: string): number | null {
  const m = /^(?:inc-?)?(\d{1,9})$/i.exec(text.trim());
  return m ? Number(m[1]) : null;
}

/** "SEV-1" */
export function severityLabel(severity: Severity): string {
  return `SEV-${severity.slice(3)}`;
}

/** sev1 for "sev1", "SEV-1", "sev 1", "Sev_1", "s1" or "1"; null otherwise. */
export function parseSeverity(text: string): Severity | null {
  const m = /^(?:sev|s)?[\s_-]?([1-4])$/i.exec(text.trim());
  return m ? (`sev${m[1]}` as Severity) : null;
}

export function isOpen(incident: Pick<Incident, 'state'>): boolean {
  return incident.state !== 'resolved';
}
