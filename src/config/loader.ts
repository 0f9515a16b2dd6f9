// Loads flightdeck.yaml: YAML in, schema and cross-field checks applied, every problem reported with its key path and line.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { ConfigError } from '../domain/errors.js';
import { crossCheck, formatFinding } from './crossChecks.js';
import { formatIssue, formatPath, unknownKeys, type KeyPath } from './issues.js';
import { configSchema, type Config } from './schema.js';

export { ConfigError } from '../domain/errors.js';
export { loadEnv, type DatabaseSettings, type GitHubAuth, type LogLevel, type Settings } from './env.js';

export interface LoadedConfig {
  config: Config;
  /** problems that do not stop the process, such as unknown keys */
  warnings: string[];
}

/** Reads and validates the config file; throws ConfigError listing every problem. */
export function loadConfig(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new ConfigError([`${path}: cannot read the config file (${why}); set FLIGHTDECK_CONFIG to its path`]);
  }
  return parseConfig(text, path);
}

/** Validates config text; `source` names it in messages. */
export function parseConfig(text: string, source = 'flightdeck.yaml'): LoadedConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return `${source}:${pos.line}:${pos.col}: not valid YAML: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const input: unknown = doc.toJS();
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError([`${source}: expected a mapping with gitops, apps and environments, got ${input === null || input === undefined ? 'an empty file' : 'something else'}`]);
  }
  const lineOf = (path: KeyPath): string => {
    const line = lineAt(doc, lines, path);
    return line === null ? '' : ` (${source} line ${line})`;
  };

  const warnings = unknownKeys(configSchema, input).map((p) => `unknown key ${formatPath(p)}${lineOf(p)} (ignored)`);
  const parsed = configSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${formatIssue(issue)}${lineOf(issue.path)}`));

  const checked = crossCheck(parsed.data);
  if (checked.errors.length > 0) throw new ConfigError(checked.errors.map((f) => `${formatFinding(f)}${lineOf(f.path)}`));
  warnings.push(...checked.warnings.map((f) => `${formatFinding(f)}${lineOf(f.path)}`));
  return { config: parsed.data, warnings };
}

/** The 1-based line of the node at the path, or of its nearest existing parent; null when unknown. */
function lineAt(doc: Document, lines: LineCounter, path: KeyPath): number | null {
  for (let n = path.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1) as unknown[], true);
    const key = path[n - 1];
    // A key's own line, rather than its value's (a block mapping value starts on the next line).
    const node = isMap(parent) ? parent.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key : doc.getIn(path.slice(0, n) as unknown[], true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) return lines.linePos(range[0]).line;
  }
  return null;
}
