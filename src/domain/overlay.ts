// overlayEditor: reads and sets kustomize `images[].newTag` in kustomization.yaml text, byte-exact everywhere else.
import { CST, Parser, parseDocument } from 'yaml';
import { UserError } from './errors.js';

export interface ImageTagChange {
  /** the kustomize images[].name */
  image: string;
  newTag: string;
}

export interface OverlayEdit {
  text: string;
  /** newTag of each changed image before the edit (null: it had none) */
  previous: Record<string, string | null>;
}

/** One images[] entry as written. */
export interface ImageEntry {
  name: string;
  newName: string | null;
  newTag: string | null;
  digest: string | null;
}

/** The images[] entries of a kustomization; every scalar is read as text (`newTag: 1.10` is "1.10", not 1.1). */
export function readImageEntries(yamlText: string, opts: { file?: string } = {}): ImageEntry[] {
  const parsed = parseDocument(yamlText, { schema: 'failsafe' });
  if (parsed.errors.length > 0) {
    throw new UserError({ code: 'overlay-invalid', file: opts.file ?? 'The overlay kustomization.yaml', detail: parsed.errors[0]!.message.split('\n')[0] ?? '' });
  }
  const doc: unknown = parsed.toJS();
  const images = isRecord(doc) ? doc.images : undefined;
  if (!Array.isArray(images)) return [];
  return images.filter(isRecord).flatMap((entry) => {
    const name = textOf(entry.name);
    return name === null ? [] : [{ name, newName: textOf(entry.newName), newTag: textOf(entry.newTag), digest: textOf(entry.digest) }];
  });
}

/** images[].name -> newTag (null when the entry sets none). */
export function readImageTags(yamlText: string, opts: { file?: string } = {}): Record<string, string | null> {
  const tags: Record<string, string | null> = {};
  for (const entry of readImageEntries(yamlText, opts)) if (!(entry.name in tags)) tags[entry.name] = entry.newTag;
  return tags;
}

interface Edit {
  offset: number;
  remove: number;
  insert: string;
}

/**
 * Sets `newTag` of the images[] entries matched on `name`, keeping `newName` and everything else byte for byte.
 * A scalar keeps its quoting style (plain values that would read as numbers or booleans get double quotes).
 * An entry without newTag gets one, on a new line after its last key. An image already at its tag is left as it is.
 * Refuses (UserError) when an image has no entry, or when an entry pins a `digest`: kustomize would then ignore
 * newTag and the deploy would change nothing; the digest is left for a person to remove.
 */
export function setImageTags(yamlText: string, changes: ImageTagChange[], opts: { file?: string } = {}): OverlayEdit {
  const where = opts.file ?? 'The overlay kustomization.yaml';
  readImageEntries(yamlText, opts); // refuses text that is not valid YAML
  const entries = findImageEntries(yamlText);
  const edits: Edit[] = [];
  const previous: Record<string, string | null> = {};
  for (const change of changes) {
    const matches = entries.filter((e) => e.name === change.image);
    if (matches.length === 0) throw new UserError({ code: 'overlay-no-image', file: where, image: change.image });
    for (const entry of matches) {
      if (entry.digest !== null) {
        throw new UserError({ code: 'overlay-digest', file: where, image: change.image, digest: entry.digest });
      }
      if (!(change.image in previous)) previous[change.image] = entry.newTag?.value ?? null;
      if (entry.newTag?.value === change.newTag) continue;
      if (entry.newTag) edits.push(replaceScalar(entry.newTag, change.newTag));
      else if (entry.emptyNewTagAt !== null) edits.push({ offset: entry.emptyNewTagAt, remove: 0, insert: ` ${plainOrQuoted(change.newTag)}` });
      else edits.push(addNewTag(yamlText, entry, change.newTag));
    }
  }
  return { text: applyEdits(yamlText, edits), previous };
}

interface ScalarAt {
  token: CST.FlowScalar | CST.BlockScalar;
  value: string;
}

interface EntryAt {
  name: string;
  newTag: ScalarAt | null;
  digest: string | null;
  /** `newTag:` written without a value: the offset just past its ":" */
  emptyNewTagAt: number | null;
  map: CST.BlockMap | CST.FlowCollection;
}

function findImageEntries(yamlText: string): EntryAt[] {
  const found: EntryAt[] = [];
  for (const token of new Parser().parse(yamlText)) {
    if (token.type !== 'document') continue;
    const images = valueOfKey(token.value, 'images');
    if (!images || (images.type !== 'block-seq' && images.type !== 'flow-collection')) continue;
    for (const item of images.items) {
      const map = item.value;
      if (!map || (map.type !== 'block-map' && map.type !== 'flow-collection')) continue;
      const name = scalarOf(valueOfKey(map, 'name'));
      if (!name) continue;
      const newTagItem = map.items.find((i) => scalarOf(i.key ?? undefined)?.value === 'newTag');
      const newTag = scalarOf(newTagItem?.value);
      // An alias (`newTag: *tag`) or a collection cannot be edited in place; adding a key would give the entry two newTags.
      if (newTagItem?.value && !newTag) {
        const value = newTagItem.value as { source?: string };
        throw new UserError({ code: 'overlay-unsupported-tag', value: value.source ?? newTagItem.value.type, token: newTagItem.value.type });
      }
      const colon = newTagItem && !newTagItem.value ? newTagItem.sep?.find((t) => t.type === 'map-value-ind') : undefined;
      const emptyNewTagAt = colon ? colon.offset + colon.source.length : null;
      found.push({ name: name.value, newTag, digest: scalarOf(valueOfKey(map, 'digest'))?.value ?? null, emptyNewTagAt, map });
    }
    break; // a kustomization is one document
  }
  return found;
}

function valueOfKey(map: CST.Token | undefined, key: string): CST.Token | undefined {
  if (!map || (map.type !== 'block-map' && map.type !== 'flow-collection')) return undefined;
  return map.items.find((item) => scalarOf(item.key ?? undefined)?.value === key)?.value;
}

function scalarOf(token: CST.Token | undefined): ScalarAt | null {
  if (!token || !CST.isScalar(token)) return null;
  const resolved = CST.resolveAsScalar(token);
  return resolved ? { token, value: resolved.value } : null;
}

/** Plain values that a YAML 1.2 core schema reader would not take as a string. */
function readsAsNonString(value: string): boolean {
  // YAML 1.2 core numbers, booleans and null, and the YAML 1.1 words some readers still take as booleans.
  const core = /^(?:[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|0x[0-9a-fA-F]+|0o[0-7]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|~|)$/;
  return core.test(value) || /^(?:true|false|null|yes|no|on|off|y|n)$/i.test(value);
}

function quoted(value: string, style: 'single' | 'double'): string {
  return style === 'single' ? `'${value.replace(/'/g, "''")}'` : JSON.stringify(value);
}

function plainOrQuoted(value: string): string {
  return readsAsNonString(value) ? quoted(value, 'double') : value;
}

function replaceScalar(at: ScalarAt, newTag: string): Edit {
  const { token } = at;
  let text: string;
  if (token.type === 'single-quoted-scalar') text = quoted(newTag, 'single');
  else if (token.type === 'scalar' && !readsAsNonString(newTag)) text = newTag;
  else if (token.type === 'double-quoted-scalar' || token.type === 'scalar') text = quoted(newTag, 'double');
  else throw new UserError({ code: 'overlay-unsupported-tag', value: at.value, token: token.type });
  return { offset: token.offset, remove: token.source.length, insert: text };
}

/** A new `newTag:` key after the entry's last key: its own line in a block map, `, newTag: x` in a flow map. */
function addNewTag(yamlText: string, entry: EntryAt, newTag: string): Edit {
  const value = plainOrQuoted(newTag);
  const end = contentEnd(entry.map);
  if (entry.map.type === 'flow-collection') return { offset: end, remove: 0, insert: `, newTag: ${value}` };
  const nameItem = entry.map.items.find((item) => scalarOf(item.key ?? undefined)?.value === 'name');
  const keyOffset = nameItem?.key ? nameItem.key.offset : entry.map.offset;
  const indent = keyOffset - (yamlText.lastIndexOf('\n', keyOffset - 1) + 1);
  const lineEnd = yamlText.indexOf('\n', end);
  const at = lineEnd === -1 ? yamlText.length : lineEnd;
  const eol = lineEnd > 0 && yamlText[lineEnd - 1] === '\r' ? '\r\n' : '\n';
  return { offset: eol === '\r\n' ? at - 1 : at, remove: 0, insert: `${eol}${' '.repeat(indent)}newTag: ${value}` };
}

/** Offset just past the last key or value of a map (before trailing comments and newlines; before `}` of a flow map). */
function contentEnd(map: CST.BlockMap | CST.FlowCollection): number {
  let end = map.offset;
  const visit = (token: CST.Token | null | undefined): void => {
    if (!token) return;
    if ('items' in token) {
      for (const item of token.items) [item.key, item.value].forEach(visit);
      if (token.type === 'flow-collection') token.end.forEach(visit);
      return;
    }
    if (token.type === 'comment' || token.type === 'newline' || token.type === 'space' || token.type === 'flow-map-end' || token.type === 'flow-seq-end') return;
    if ('source' in token) end = Math.max(end, token.offset + token.source.length);
  };
  for (const item of map.items) [item.key, item.value].forEach(visit);
  return end;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const edit of [...edits].sort((a, b) => b.offset - a.offset)) {
    out = out.slice(0, edit.offset) + edit.insert + out.slice(edit.offset + edit.remove);
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
