// Severity rules: response targets, who is paged at each tier, the external pager, runbooks, the production freeze.
import { SEVERITIES, isOpen, type Incident, type Severity } from './incidents.js';

/** A set of people: Slack users and user groups. */
export interface Audience {
  users: string[];
  groups: string[];
}

export interface SeverityRules {
  respondWithin: number;
  page: Audience;
  escalate: Audience[];
  freezeProduction: boolean;
}

/** The part of the configuration incidents read (`incidents:` of flightdeck.yaml). */
export interface IncidentsConfigView {
  severities?: Partial<Record<Severity, SeverityRules>> | undefined;
  runbooks: Record<string, string>;
  postmortemRepo?: string | undefined;
  pager?: { url: string; routingKeyEnv: string; severities: Severity[] } | undefined;
}

const NOBODY: Audience = { users: [], groups: [] };

/** SPEC's grading, used when the config names no severities at all. */
const DEFAULT_RULES: Record<Severity, SeverityRules> = {
  sev1: { respondWithin: 15 * 60_000, page: NOBODY, escalate: [], freezeProduction: true },
  sev2: { respondWithin: 60 * 60_000, page: NOBODY, escalate: [], freezeProduction: true },
  sev3: { respondWithin: 4 * 3_600_000, page: NOBODY, escalate: [], freezeProduction: false },
  sev4: { respondWithin: 24 * 3_600_000, page: NOBODY, escalate: [], freezeProduction: false },
};

/** The severities people may declare: the configured ones, or all four with SPEC's targets. */
export function knownSeverities(config: IncidentsConfigView): Severity[] {
  const configured = config.severities;
  if (!configured || Object.keys(configured).length === 0) return [...SEVERITIES];
  return SEVERITIES.filter((s) => configured[s] !== undefined);
}

export function rulesOf(config: IncidentsConfigView, severity: Severity): SeverityRules | null {
  const configured = config.severities;
  if (!configured || Object.keys(configured).length === 0) return DEFAULT_RULES[severity];
  return configured[severity] ?? null;
}

/** The people paged at a tier: 0 is the severity's `page`, n is `escalate[n-1]`; null past the last tier. */
export function audienceAt(rules: SeverityRules, tier: number): Audience | null {
  if (tier === 0) return rules.page;
  return rules.escalate[tier - 1] ?? null;
}

/**
 * When nobody acknowledging escalates to the next tier: each tier gets the severity's full response target from when
 * it was paged (`clockStartedAt`). null when the clock does not run (acknowledged, resolved) or no tier is left.
 */
export function escalationDueAt(incident: Incident, rules: SeverityRules): number | null {
  if (incident.state !== 'open') return null;
  if (audienceAt(rules, incident.tier + 1) === null) return null;
  return incident.clockStartedAt + rules.respondWithin;
}

/** When the current tier's response target is (or was) due; null once acknowledged or resolved. */
export function responseDueAt(incident: Incident, rules: SeverityRules): number | null {
  return incident.state === 'open' ? incident.clockStartedAt + rules.respondWithin : null;
}

export function pagesExternally(config: IncidentsConfigView, severity: Severity): boolean {
  return config.pager !== undefined && config.pager.severities.includes(severity);
}

/** PagerDuty Events v2 severities. */
export type PagerSeverity = 'critical' | 'error' | 'warning' | 'info';

export function pagerSeverity(severity: Severity): PagerSeverity {
  return ({ sev1: 'critical', sev2: 'error', sev3: 'warning', sev4: 'info' } as const)[severity];
}

/** One dedup key per incident; the declare time keeps INC-1 of a new store apart from an old INC-1 (max 255). */
export function pagerDedupKey(incident: Pick<Incident, 'number' | 'declaredAt'>): string {
  return `flightdeck/INC-${incident.number}/${incident.declaredAt}`;
}

/** Runbooks whose keyword is in the title (words folded: "CrashLoop" matches crashloop, "high-memory" high memory); all when none is. */
export function runbooksFor(runbooks: Record<string, string>, title: string): Array<{ name: string; url: string }> {
  const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '');
  const words = fold(title);
  const all = Object.entries(runbooks).map(([name, url]) => ({ name, url }));
  const matched = all.filter((r) => fold(r.name) !== '' && words.includes(fold(r.name)));
  return matched.length > 0 ? matched : all;
}

/** True for the environment the production freeze covers. */
export function isProduction(env: { name: string; aliases?: string[] } | string): boolean {
  const names = typeof env === 'string' ? [env] : [env.name, ...(env.aliases ?? [])];
  return names.some((n) => n === 'production' || n === 'prod');
}

/**
 * The open incident that freezes deploys to the environment, or null. Only production is frozen, by any open incident
 * whose severity has `freezeProduction`; when several do, the oldest (it has been frozen longest).
 */
export function incidentFreeze(openIncidents: Incident[], config: IncidentsConfigView, env: { name: string; aliases?: string[] } | string): Incident | null {
  if (!isProduction(env)) return null;
  const freezing = openIncidents.filter((i) => isOpen(i) && rulesOf(config, i.severity)?.freezeProduction === true);
  freezing.sort((a, b) => a.declaredAt - b.declaredAt || a.number - b.number);
  return freezing[0] ?? null;
}

/** The severity a failed deploy suggests: production is SEV-2, anything else SEV-3. */
export function suggestedSeverity(env: string, known: Severity[]): Severity {
  const wanted: Severity = isProduction(env) ? 'sev2' : 'sev3';
  return known.includes(wanted) ? wanted : (known[0] ?? 'sev3');
}

/** Users and groups of several audiences, without repeats. */
export function mergeAudiences(...audiences: Audience[]): Audience {
  return {
    users: [...new Set(audiences.flatMap((a) => a.users))],
    groups: [...new Set(audiences.flatMap((a) => a.groups))],
  };
}
