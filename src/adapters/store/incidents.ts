// Incident records and timelines in SQL: the migration that adds them and the SQLite statements behind the IncidentStore port.
import type Database from 'better-sqlite3';
import { canMove, type Incident, type IncidentGuard, type IncidentPatch, type IncidentState, type NewIncident } from '../../domain/incidents.js';
import type { TimelineEntry } from '../../domain/incidentEvents.js';
import type { IncidentStore } from '../../workflows/incidentPorts.js';
import type { Migration } from './migrations.js';
import { statementCache } from './statements.js';

export const incidentsMigration: Migration = {
  version: 5,
  name: 'incidents and their timelines',
  sql: `
    CREATE TABLE incidents (
      number           {{autoId}},
      severity         TEXT NOT NULL,
      title            TEXT NOT NULL,
      state            TEXT NOT NULL,
      declarer         TEXT NOT NULL,
      commander        TEXT NOT NULL,
      channel          TEXT,
      channel_name     TEXT,
      card_ts          TEXT,
      declared_at      BIGINT NOT NULL,
      clock_started_at BIGINT NOT NULL,
      tier             INTEGER NOT NULL,
      acknowledged_at  BIGINT,
      acknowledged_by  TEXT,
      resolved_at      BIGINT,
      resolved_by      TEXT,
      summary          TEXT,
      pager_key        TEXT,
      postmortem_url   TEXT,
      origin           TEXT,
      updated_at       BIGINT NOT NULL
    );
    CREATE INDEX incidents_by_state ON incidents (state, number);
    CREATE UNIQUE INDEX incidents_by_channel ON incidents (channel);

    CREATE TABLE incident_timeline (
      id       {{autoId}},
      incident BIGINT NOT NULL REFERENCES incidents (number),
      at       BIGINT NOT NULL,
      actor    TEXT NOT NULL,
      event    TEXT NOT NULL
    );
    CREATE INDEX incident_timeline_by_incident ON incident_timeline (incident, id);
  `,
};

/** Incident fields and their columns; `number` and `declaredAt` are written once. */
const COLUMN_OF = {
  severity: 'severity',
  title: 'title',
  state: 'state',
  declarer: 'declarer',
  commander: 'commander',
  channel: 'channel',
  channelName: 'channel_name',
  cardTs: 'card_ts',
  clockStartedAt: 'clock_started_at',
  tier: 'tier',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedBy: 'acknowledged_by',
  resolvedAt: 'resolved_at',
  resolvedBy: 'resolved_by',
  summary: 'summary',
  pagerKey: 'pager_key',
  postmortemUrl: 'postmortem_url',
  origin: 'origin',
} as const satisfies Record<keyof IncidentPatch, string>;

type Row = Record<string, string | number | null>;

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
const str = (v: string | number | null): string | null => (v === null ? null : String(v));

export function incidentFromRow(row: Row): Incident {
  return {
    number: Number(row.number),
    severity: String(row.severity) as Incident['severity'],
    title: String(row.title),
    state: String(row.state) as IncidentState,
    declarer: String(row.declarer),
    commander: String(row.commander),
    channel: str(row.channel ?? null),
    channelName: str(row.channel_name ?? null),
    cardTs: str(row.card_ts ?? null),
    declaredAt: Number(row.declared_at),
    clockStartedAt: Number(row.clock_started_at),
    tier: Number(row.tier),
    acknowledgedAt: num(row.acknowledged_at ?? null),
    acknowledgedBy: str(row.acknowledged_by ?? null),
    resolvedAt: num(row.resolved_at ?? null),
    resolvedBy: str(row.resolved_by ?? null),
    summary: str(row.summary ?? null),
    pagerKey: str(row.pager_key ?? null),
    postmortemUrl: str(row.postmortem_url ?? null),
    origin: row.origin === null || row.origin === undefined ? null : (JSON.parse(String(row.origin)) as Incident['origin']),
    updatedAt: Number(row.updated_at),
  };
}

/** The column assignments of a patch (origin as JSON), plus updated_at. */
export function incidentPatchColumns(patch: IncidentPatch, at: number): Array<[string, string | number | null]> {
  const sets: Array<[string, string | number | null]> = [];
  for (const [key, column] of Object.entries(COLUMN_OF) as Array<[keyof IncidentPatch, string]>) {
    if (!(key in patch)) continue;
    const value = patch[key];
    sets.push([column, key === 'origin' ? (value === null ? null : JSON.stringify(value)) : ((value ?? null) as string | number | null)]);
  }
  sets.push(['updated_at', at]);
  return sets;
}

/** Refuses a patch whose state move the state table does not allow from some guarded state. */
export function assertIncidentMoves(guard: IncidentGuard, patch: IncidentPatch): void {
  if (patch.state === undefined) return;
  const to = patch.state;
  const bad = guard.states.filter((from) => !canMove(from, to));
  if (bad.length > 0) throw new Error(`incident state cannot move ${bad.join('/')} -> ${to}`);
}

/** The IncidentStore on a better-sqlite3 database; each write is one statement or one IMMEDIATE transaction. */
export class SqliteIncidents implements IncidentStore {

  /** Prepared statements cached by their text. */
  private readonly sql: (text: string) => Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.sql = statementCache(db);
  }

  async createIncident(input: NewIncident): Promise<Incident> {
    const row = this.sql(
      `INSERT INTO incidents (severity, title, state, declarer, commander, declared_at, clock_started_at, tier, origin, updated_at)
       VALUES (?, ?, 'open', ?, ?, ?, ?, 0, ?, ?) RETURNING *`,
    ).get(input.severity, input.title, input.declarer, input.declarer, input.declaredAt, input.declaredAt, input.origin ? JSON.stringify(input.origin) : null, input.declaredAt) as Row;
    return incidentFromRow(row);
  }

  async getIncident(number: number): Promise<Incident | null> {
    const row = this.sql('SELECT * FROM incidents WHERE number = ?').get(number) as Row | undefined;
    return row ? incidentFromRow(row) : null;
  }

  async incidentInChannel(channel: string): Promise<Incident | null> {
    const row = this.sql('SELECT * FROM incidents WHERE channel = ?').get(channel) as Row | undefined;
    return row ? incidentFromRow(row) : null;
  }

  async listIncidents(states: IncidentState[]): Promise<Incident[]> {
    if (states.length === 0) return [];
    const rows = this.sql(`SELECT * FROM incidents WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY number`).all(...states) as Row[];
    return rows.map(incidentFromRow);
  }

  async updateIncident(number: number, guard: IncidentGuard, patch: IncidentPatch, at: number): Promise<Incident | null> {
    assertIncidentMoves(guard, patch);
    if (guard.states.length === 0) return null;
    const sets = incidentPatchColumns(patch, at);
    const where = [`number = ?`, `state IN (${guard.states.map(() => '?').join(', ')})`, ...(guard.tier !== undefined ? ['tier = ?'] : [])];
    const params = [...sets.map(([, v]) => v), number, ...guard.states, ...(guard.tier !== undefined ? [guard.tier] : [])];
    const row = this.sql(`UPDATE incidents SET ${sets.map(([c]) => `${c} = ?`).join(', ')} WHERE ${where.join(' AND ')} RETURNING *`).get(...params) as Row | undefined;
    return row ? incidentFromRow(row) : null;
  }

  async addTimeline(number: number, entry: TimelineEntry): Promise<void> {
    this.sql('INSERT INTO incident_timeline (incident, at, actor, event) VALUES (?, ?, ?, ?)').run(number, entry.at, entry.actor, JSON.stringify(entry.event));
  }

  async timelineOf(number: number): Promise<TimelineEntry[]> {
    const rows = this.sql('SELECT at, actor, event FROM incident_timeline WHERE incident = ? ORDER BY id').all(number) as Array<{ at: number; actor: string; event: string }>;
    return rows.map((r) => ({ at: Number(r.at), actor: r.actor, event: JSON.parse(r.event) as TimelineEntry['event'] }));
  }
}
