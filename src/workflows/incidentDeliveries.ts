// Deploys and incidents meet here: deliveries land on open incidents' timelines, and a failed deploy can start an incident.
import type { DeployRequest } from '../domain/types.js';
import type { IncidentEvent } from '../domain/incidentEvents.js';
import type { IncidentOrigin } from '../domain/incidents.js';
import type { IncidentDeps } from './incidentPorts.js';
import { note } from './incidentTimeline.js';
import type { RunEvent } from '../domain/runEvents.js';
import type { RunRef, RunSink } from '../ports.js';

export type DeliveryNote = Extract<IncidentEvent, { type: 'delivery' }>;

/** Adds a deploy or rollback to the timeline of every open incident and says it in their channels. */
export async function noteDelivery(deps: IncidentDeps, actor: string, delivery: Omit<DeliveryNote, 'type'>): Promise<void> {
  const open = await deps.store.listIncidents(['open', 'acknowledged']);
  for (const incident of open) await note(deps, incident, actor, { type: 'delivery', ...delivery }, ['channel']);
}

/** The origin of an incident declared from a deploy or rollback: only one that failed qualifies. */
export function originOf(request: DeployRequest | null): IncidentOrigin | null {
  if (!request || request.state !== 'failed') return null;
  return {
    runId: request.id,
    kind: request.kind,
    env: request.env,
    version: request.version,
    thread: request.messageTs ? { channel: request.channel, ts: request.messageTs } : null,
  };
}

/** Puts deploys and rollbacks on the timeline of every open incident: asked for, and how they ended. */
export class IncidentDeliverySink implements RunSink {
  constructor(private readonly deps: IncidentDeps) {}

  async deliver(run: RunRef, actor: string, event: RunEvent): Promise<void> {
    if (event.type !== 'requested' && event.type !== 'succeeded' && event.type !== 'failed') return;
    const outcome = event.type === 'requested' ? 'requested' : event.type;
    await noteDelivery(this.deps, actor, { kind: event.kind, env: event.env, version: event.version, runId: run.runId, outcome });
  }
}
