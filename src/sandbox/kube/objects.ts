// The Kubernetes fake's object storage: one resourceVersion counter, an event history for watches, and subscribers.
import { randomUUID } from 'node:crypto';
import { apiVersionOf, qualifiedName, typeKey, type ResourceType } from './kinds.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  rv: number;
  key: string;
  namespace: string;
  type: EventType;
  object: any;
}

/** An API error as the server answers it: a `Status` with code and reason. */
export class StatusError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }

  toStatus(): Record<string, unknown> {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, ...(this.details ? { details: this.details } : {}), code: this.code };
  }
}

/** "Operation cannot be fulfilled ..." as the API server words a lost optimistic write. */
export function conflict(type: ResourceType, name: string): StatusError {
  return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedName(type)} "${name}": the object has been modified; please apply your changes to the latest version and try again`, { name, group: type.group, kind: type.plural });
}

export function notFound(type: ResourceType, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedName(type)} "${name}" not found`, { name, group: type.group, kind: type.plural });
}

/** What the fake keeps: the latest copy of each object and the most recent events (older ones are compacted away). */
export class ObjectStore {
  private rv = 1000;
  private readonly objects = new Map<string, Map<string, any>>();
  private events: StoredEvent[] = [];
  /** events at or below this resourceVersion are gone: a watch from there gets 410 Gone */
  compactedRv = 1000;
  private readonly listeners = new Set<(event: StoredEvent) => void>();

  constructor(private readonly historyLimit = 1000) {}

  get resourceVersion(): string {
    return String(this.rv);
  }

  subscribe(listener: (event: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(type: ResourceType, namespace: string, name: string): any | undefined {
    const obj = this.objects.get(typeKey(type))?.get(`${namespace}/${name}`);
    return obj === undefined ? undefined : structuredClone(obj);
  }

  /** Every object of the type, in one namespace or (undefined) all of them, by namespace and name. */
  list(type: ResourceType, namespace?: string): any[] {
    const all = [...(this.objects.get(typeKey(type))?.values() ?? [])];
    return all
      .filter((o) => namespace === undefined || (o.metadata?.namespace ?? '') === namespace)
      .sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`))
      .map((o) => structuredClone(o));
  }

  /** Stores a new object or a new version of one; the server-owned metadata is set here. */
  put(type: ResourceType, namespace: string, obj: any): any {
    const key = typeKey(type);
    const name = String(obj.metadata?.name ?? '');
    const bucket = this.objects.get(key) ?? new Map<string, any>();
    this.objects.set(key, bucket);
    const previous = bucket.get(`${namespace}/${name}`);
    const next = structuredClone(obj);
    next.apiVersion = apiVersionOf(type.group, type.version);
    next.kind = type.kind;
    const meta = (next.metadata ??= {});
    if (namespace) meta.namespace = namespace;
    else delete meta.namespace;
    meta.uid = previous?.metadata.uid ?? randomUUID();
    meta.creationTimestamp = previous?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    meta.generation = previous ? previous.metadata.generation + (specChanged(previous, next) ? 1 : 0) : 1;
    meta.resourceVersion = String(++this.rv);
    bucket.set(`${namespace}/${name}`, next);
    this.record({ rv: this.rv, key, namespace, type: previous ? 'MODIFIED' : 'ADDED', object: next });
    return structuredClone(next);
  }

  delete(type: ResourceType, namespace: string, name: string): any | undefined {
    const key = typeKey(type);
    const bucket = this.objects.get(key);
    const previous = bucket?.get(`${namespace}/${name}`);
    if (!previous) return undefined;
    bucket!.delete(`${namespace}/${name}`);
    const gone = structuredClone(previous);
    gone.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, key, namespace, type: 'DELETED', object: gone });
    return structuredClone(gone);
  }

  /** Events of a type after a resourceVersion; null when history that old is compacted (410 Gone). */
  eventsSince(type: ResourceType, rv: number): StoredEvent[] | null {
    if (rv < this.compactedRv) return null;
    const key = typeKey(type);
    return this.events.filter((e) => e.rv > rv && e.key === key);
  }

  /** Forgets all history, as etcd compaction does: watches from an older resourceVersion get 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.events = [];
  }

  private record(event: StoredEvent): void {
    this.events.push(event);
    if (this.events.length > this.historyLimit) {
      const dropped = this.events.splice(0, this.events.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const listener of [...this.listeners]) listener(event);
  }
}

/** Generation counts changes of everything but metadata and status. */
function specChanged(a: any, b: any): boolean {
  const strip = ({ metadata: _m, status: _s, ...rest }: any) => rest;
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}
