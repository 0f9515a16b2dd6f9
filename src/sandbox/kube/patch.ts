// JSON Merge Patch (RFC 7386) and JSON Patch (RFC 6902), as the Kubernetes fake applies them.

/** Thrown for a JSON patch that cannot be applied; the fake answers 422. */
export class PatchError extends Error {
  override readonly name = 'PatchError';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386: objects merge key by key, null deletes, anything else (arrays too) replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** "/metadata/annotations/a~1b" -> ["metadata", "annotations", "a/b"] */
function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, parts: string[], path: string): { parent: any; key: string } {
  let node: any = doc;
  for (const part of parts.slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (node === undefined) throw new PatchError(`path "${path}" does not exist`);
  }
  if (typeof node !== 'object' || node === null) throw new PatchError(`path "${path}" does not exist`);
  return { parent: node, key: parts[parts.length - 1]! };
}

function read(doc: unknown, path: string): unknown {
  let node: any = doc;
  for (const part of pointer(path)) {
    node = Array.isArray(node) ? node[Number(part)] : isObject(node) ? node[part] : undefined;
    if (node === undefined) throw new PatchError(`path "${path}" does not exist`);
  }
  return node;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : Number(key);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new PatchError(`index out of range at "${path}"`);
    parent.splice(index, 0, structuredClone(value));
  } else {
    parent[key] = structuredClone(value);
  }
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const parts = pointer(path);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) throw new PatchError(`index out of range at "${path}"`);
    parent.splice(index, 1);
  } else {
    if (!(key in parent)) throw new PatchError(`path "${path}" does not exist`);
    delete parent[key];
  }
  return doc;
}

/** RFC 6902 on a copy of the document: add, remove, replace, move, copy, test. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of operations as Operation[]) {
    if (!isObject(raw) || typeof raw.path !== 'string') throw new PatchError('each operation needs "op" and "path"');
    switch (raw.op) {
      case 'add':
        doc = add(doc, raw.path, raw.value);
        break;
      case 'remove':
        doc = remove(doc, raw.path);
        break;
      case 'replace':
        read(doc, raw.path);
        doc = add(remove(doc, raw.path), raw.path, raw.value);
        break;
      case 'move': {
        const value = read(doc, raw.from ?? '');
        doc = add(remove(doc, raw.from ?? ''), raw.path, value);
        break;
      }
      case 'copy':
        doc = add(doc, raw.path, read(doc, raw.from ?? ''));
        break;
      case 'test':
        if (JSON.stringify(read(doc, raw.path)) !== JSON.stringify(raw.value)) throw new PatchError(`test failed at "${raw.path}"`);
        break;
      default:
        throw new PatchError(`unknown JSON patch operation "${String(raw.op)}"`);
    }
  }
  return doc;
}
