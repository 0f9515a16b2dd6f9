// Turns zod issues and unknown keys of the config file into one-line messages that name the key, what it should be and what it was.
import type { z } from 'zod';

export type KeyPath = ReadonlyArray<PropertyKey>;

/** `environments[1].approval.required` style rendering of a path. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_][\w-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(top level)';
}

/** What a value was, for "got ..." (short; strings quoted). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping (key: value)',
  array: 'a list',
};

/** One line per zod issue: `<path>: <expected>, got <value>`; `required` when the key is missing. */
export function formatIssue(issue: z.core.$ZodIssue): string {
  const where = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return `${where}: unexpected ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  }
  const expected = expectationOf(issue);
  const input = (issue as { input?: unknown }).input;
  if (input === undefined && issue.code === 'invalid_type') return `${where}: required, ${expected}`;
  return `${where}: ${expected}, got ${describeValue(input)}`;
}

function expectationOf(issue: z.core.$ZodIssue): string {
  if (issue.message.startsWith('expected')) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `expected at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : ''}`;
    case 'too_big':
      return `expected at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' entries' : ''}`;
    default:
      return `expected ${issue.message.replace(/^Invalid input:\s*/i, '')}`;
  }
}

type AnySchema = z.core.$ZodType;
interface LooseDef {
  type: string;
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  innerType?: AnySchema;
  in?: AnySchema;
  valueType?: AnySchema;
  options?: AnySchema[];
}

function defOf(schema: AnySchema): LooseDef {
  return (schema as unknown as { _zod: { def: LooseDef } })._zod.def;
}

/** The object/array/record at the core of a schema, past optional, default, pipe and the like. */
function unwrap(schema: AnySchema): AnySchema {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(current);
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return current;
    current = inner;
  }
  return current;
}

/** Paths of keys in the input that the schema does not know (zod strips them silently; we report them). */
export function unknownKeys(schema: AnySchema, input: unknown, path: PropertyKey[] = []): PropertyKey[][] {
  const core = unwrap(schema);
  const def = defOf(core);
  const found: PropertyKey[][] = [];
  if (def.type === 'object' && def.shape && isMapping(input)) {
    for (const [key, value] of Object.entries(input)) {
      const child = def.shape[key];
      if (child) found.push(...unknownKeys(child, value, [...path, key]));
      else found.push([...path, key]);
    }
  } else if (def.type === 'array' && def.element && Array.isArray(input)) {
    input.forEach((item, i) => found.push(...unknownKeys(def.element!, item, [...path, i])));
  } else if (def.type === 'record' && def.valueType && isMapping(input)) {
    for (const [key, value] of Object.entries(input)) found.push(...unknownKeys(def.valueType, value, [...path, key]));
  }
  return found;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
