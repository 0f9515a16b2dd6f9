// The IncidentStore on PostgreSQL: the same rows and guards as the SQLite one (incidents.ts), each write one statement.
import type pg from 'pg';
import type { Incident, IncidentGuard, IncidentPatch, IncidentState, NewIncident } from '../../domain/incidents.js';
import type { TimelineEntry } from '../../domain/incidentEvents.js';
import type { IncidentStore } from '../../workflows/incidentPorts.js';
import { assertIncidentMoves, incidentFromRow, incidentPatchColumns } from './incidents.js';

type Row = Record<string, string | number | null>;

export class PostgresIncidents implements IncidentStore {
  constructor(private readonly pool: pg.Pool) {}

  async createIncident(input: NewIncident): Promise<Incident> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO incidents (severity, title, state, declarer, commander, declared_at, clock_started_at, tier, origin, updated_at)
       VALUES ($1, $2, 'open', $3, $3, $4, $4, 0, $5, $4) RETURNING *`,
      [input.severity, input.title, input.declarer, input.declaredAt, input.origin ? JSON.stringify(input.origin) : null],
    );
    return incidentFromRow(rows[0]!);
  }

  async getIncident(number: number): Promise<Incident | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM incidents WHERE number = $1', [number]);
    return rows[0] ? incidentFromRow(rows[0]) : null;
  }

  async incidentInChannel(channel: string): Promise<Incident | null> {
    const { rows } = await this.pool.query<Row>('SELECT * FROM incidents WHERE channel = $1', [channel]);
    return rows[0] ? incidentFromRow(rows[0]) : null;
  }

  async listIncidents(states: IncidentState[]): Promise<Incident[]> {
    if (states.length === 0) return [];
    const { rows } = await this.pool.query<Row>('SELECT * FROM incidents WHERE state = ANY($1) ORDER BY number', [states]);
    return rows.map(incidentFromRow);
  }

  /** A conditional UPDATE: PostgreSQL re-checks the guard after a concurrent writer commits, so racing replicas cannot both pass it. */
  async updateIncident(number: number, guard: IncidentGuard, patch: IncidentPatch, at: number): Promise<Incident | null> {
    assertIncidentMoves(guard, patch);
    if (guard.states.length === 0) return null;
    const sets = incidentPatchColumns(patch, at);
    const params: unknown[] = [...sets.map(([, v]) => v), number, guard.states];
    const where = [`number = $${sets.length + 1}`, `state = ANY($${sets.length + 2})`];
    if (guard.tier !== undefined) {
      params.push(guard.tier);
      where.push(`tier = $${params.length}`);
    }
    const { rows } = await this.pool.query<Row>(`UPDATE incidents SET ${sets.map(([c], i) => `${c} = $${i + 1}`).join(', ')} WHERE ${where.join(' AND ')} RETURNING *`, params);
    return rows[0] ? incidentFromRow(rows[0]) : null;
  }

  async addTimeline(number: number, entry: TimelineEntry): Promise<void> {
    await this.pool.query('INSERT INTO incident_timeline (incident, at, actor, event) VALUES ($1, $2, $3, $4)', [number, entry.at, entry.actor, JSON.stringify(entry.event)]);
  }

  async timelineOf(number: number): Promise<TimelineEntry[]> {
    const { rows } = await this.pool.query<{ at: string; actor: string; event: string }>('SELECT at, actor, event FROM incident_timeline WHERE incident = $1 ORDER BY id', [number]);
    return rows.map((r) => ({ at: Number(r.at), actor: r.actor, event: JSON.parse(r.event) as TimelineEntry['event'] }));
  }
}
