// REST verbs of the Kubernetes fake: URL -> resource type, and GET, LIST, POST, PUT, PATCH, DELETE on the object store.
import { typeOfPlural, type ResourceType } from './kinds.js';
import { conflict, notFound, StatusError, type ObjectStore } from './objects.js';
import { jsonPatch, mergePatch, PatchError } from './patch.js';
import { fieldSelector, labelSelector } from './selectors.js';

export interface Target {
  type: ResourceType;
  /** undefined: a cluster-wide path (all namespaces for LIST and WATCH) */
  namespace: string | undefined;
  name?: string;
  subresource?: string;
}

/** `/api/v1/...` and `/apis/{group}/{version}/...`, namespaced or not; null when the path names no resource. */
export function parsePath(pathname: string): Target | null {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1]) [group, rest] = ['', parts.slice(1)];
  else if (parts[0] === 'apis' && parts[1] && parts[2]) [group, rest] = [parts[1], parts.slice(2)];
  else return null;
  const [version, ...path] = rest as [string, ...string[]];
  let namespace: string | undefined;
  if (path[0] === 'namespaces' && path.length >= 3) {
    namespace = path[1];
    path.splice(0, 2);
  }
  const [plural, name, subresource, ...extra] = path;
  if (!plural || extra.length > 0) return null;
  const type = typeOfPlural(group, version, plural);
  return { type, namespace, ...(name ? { name } : {}), ...(subresource ? { subresource } : {}) };
}

export interface Reply {
  status: number;
  body: unknown;
}

const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

/** One non-watch request; throws StatusError for answers that are errors. */
export function handleRest(store: ObjectStore, method: string, target: Target, query: URLSearchParams, contentType: string, body: unknown): Reply {
  const { type, name } = target;
  const namespace = target.namespace ?? '';
  if (method === 'GET' && !name) return { status: 200, body: list(store, target, query) };
  if (method === 'POST' && !name) return { status: 201, body: create(store, type, namespace, body) };
  if (!name) throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  const current = store.get(type, namespace, name);
  if (!current && method !== 'GET') throw notFound(type, name);
  switch (method) {
    case 'GET':
      if (!current) throw notFound(type, name);
      return { status: 200, body: current };
    case 'PUT':
      return { status: 200, body: update(store, target, current, body) };
    case 'PATCH':
      return { status: 200, body: update(store, target, current, patched(type, current, contentType, body)) };
    case 'DELETE':
      return { status: 200, body: store.delete(type, namespace, name) };
    default:
      throw new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }
}

function list(store: ObjectStore, target: Target, query: URLSearchParams): unknown {
  const byLabel = labelSelector(query.get('labelSelector'));
  const byField = fieldSelector(query.get('fieldSelector'));
  const items = store.list(target.type, target.namespace).filter((o) => byLabel(o) && byField(o));
  const apiVersion = target.type.group ? `${target.type.group}/${target.type.version}` : target.type.version;
  return { apiVersion, kind: `${target.type.kind}List`, metadata: { resourceVersion: store.resourceVersion }, items };
}

function create(store: ObjectStore, type: ResourceType, namespace: string, body: any): unknown {
  if (typeof body !== 'object' || body === null) throw new StatusError(400, 'BadRequest', 'the body of the request must be an object');
  const meta = body.metadata ?? {};
  const name: string = meta.name ?? (meta.generateName ? `${meta.generateName}${Math.random().toString(36).slice(2, 7)}` : '');
  if (!name) throw new StatusError(422, 'Invalid', `${type.kind}.${type.group} "" is invalid: metadata.name: Required value: name or generateName is required`);
  if (meta.namespace && namespace && meta.namespace !== namespace) {
    throw new StatusError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  }
  if (store.get(type, namespace, name)) {
    throw new StatusError(409, 'AlreadyExists', `${type.group ? `${type.plural}.${type.group}` : type.plural} "${name}" already exists`, { name, group: type.group, kind: type.plural });
  }
  const { resourceVersion: _rv, uid: _uid, ...rest } = meta;
  return store.put(type, namespace, { ...body, metadata: { ...rest, name } });
}

/** The patch applied to the current object; strategic merge is for built-in types only, as on a real server. */
function patched(type: ResourceType, current: any, contentType: string, body: unknown): any {
  const custom = type.group !== '' && type.group !== 'apps';
  try {
    if (contentType === 'application/merge-patch+json') return mergePatch(current, body);
    if (contentType === 'application/json-patch+json') return jsonPatch(current, body);
    if (contentType === 'application/strategic-merge-patch+json' && !custom) return mergePatch(current, body);
  } catch (err) {
    if (err instanceof PatchError) throw new StatusError(422, 'Invalid', `the server rejected our request due to an error in our request: ${err.message}`);
    throw err;
  }
  throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
}

/** PUT or the result of a PATCH: a resourceVersion that is set and stale is a conflict; identity fields stay. */
function update(store: ObjectStore, target: Target, current: any, next: any): unknown {
  const { type } = target;
  const name = target.name!;
  if (typeof next !== 'object' || next === null) throw new StatusError(400, 'BadRequest', 'the body of the request must be an object');
  const rv = next.metadata?.resourceVersion;
  if (rv === undefined || rv === '') {
    throw new StatusError(422, 'Invalid', `${type.kind}.${type.group} "${name}" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update`);
  }
  if (String(rv) !== current.metadata.resourceVersion) throw conflict(type, name);
  if (next.metadata?.name !== undefined && next.metadata.name !== name) {
    throw new StatusError(400, 'BadRequest', `the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`);
  }
  const merged = target.subresource === 'status' ? { ...current, status: next.status } : next;
  merged.metadata = { ...merged.metadata, name, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp };
  return store.put(type, target.namespace ?? '', merged);
}
