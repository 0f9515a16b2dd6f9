// `npm run check-config`: the bot's own loader (schema and cross-checks) run on a flightdeck.yaml, or on the `config` of Helm values, before an install.
import { readFileSync } from 'node:fs';
import { isMap, parseDocument } from 'yaml';
import { ConfigError } from '../domain/errors.js';
import { parseConfig } from './loader.js';

export interface CheckResult {
  /** one line per problem or warning, then a summary line */
  lines: string[];
  ok: boolean;
}

export const USAGE = 'usage: npm run check-config -- [<flightdeck.yaml>] | --values <helm values file>   (default: $FLIGHTDECK_CONFIG, else ./flightdeck.yaml)';

/** Reads the arguments (`<file>` or `--values <file>`) and checks that file; `env` supplies FLIGHTDECK_CONFIG. */
export function checkConfigCommand(args: string[], env: Record<string, string | undefined>): CheckResult {
  if (args.includes('--help') || args.includes('-h')) return { ok: true, lines: [USAGE] };
  const at = args.indexOf('--values');
  if (at >= 0) {
    const file = args[at + 1];
    if (!file || args.length !== 2) return { ok: false, lines: [USAGE] };
    return checkText(() => valuesConfig(readText(file), file));
  }
  if (args.length > 1) return { ok: false, lines: [USAGE] };
  const file = args[0] ?? env.FLIGHTDECK_CONFIG ?? './flightdeck.yaml';
  return checkText(() => ({ text: readText(file), source: file, lineOffset: 0 }));
}

interface Source {
  text: string;
  /** names the text in messages: the file, or `<values file> config` */
  source: string;
  /** lines of the values file above the config block */
  lineOffset: number;
}

function checkText(read: () => Source): CheckResult {
  let input: Source;
  try {
    input = read();
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, lines: err.problems.map((p) => `error: ${p}`) };
    throw err;
  }
  const fix = (line: string) => shiftLines(line, input.source, input.lineOffset);
  try {
    const { config, warnings } = parseConfig(input.text, input.source);
    const summary = `ok: ${input.source}: ${config.apps.length} app(s), ${config.environments.length} environment(s) (${config.environments.map((e) => e.name).join(', ')})${warnings.length > 0 ? `, ${warnings.length} warning(s)` : ''}`;
    return { ok: true, lines: [...warnings.map((w) => `warning: ${fix(w)}`), summary] };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { ok: false, lines: [...err.problems.map((p) => `error: ${fix(p)}`), `${input.source}: ${err.problems.length} problem(s); Flightdeck would not start with this config`] };
  }
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([`${file}: cannot read it (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message})`]);
  }
}

/** The `config:` block of Helm values, cut out with its own lines so that messages name lines of the values file. */
function valuesConfig(text: string, file: string): Source {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new ConfigError([`${file}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`]);
  const existing = doc.get('existingConfigMap');
  const node = doc.get('config', true);
  if (!isMap(node) || !node.range) {
    const hint = typeof existing === 'string' && existing ? ` (it names existingConfigMap ${existing}: check that ConfigMap's flightdeck.yaml instead)` : '';
    throw new ConfigError([`${file}: config: expected the flightdeck.yaml mapping under the key config${hint}`]);
  }
  const start = node.range[0];
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const column = start - lineStart;
  const block = text
    .slice(lineStart, node.range[1])
    .split('\n')
    .map((line) => line.slice(Math.min(column, /^ */.exec(line)![0].length)))
    .join('\n');
  const lineOffset = text.slice(0, lineStart).split('\n').length - 1;
  return { text: block, source: `${file} config`, lineOffset };
}

/** `(<source> line N)` and `<source>:N:C` in a loader message, moved down by the lines above the block. */
function shiftLines(message: string, source: string, offset: number): string {
  if (offset === 0) return message;
  const quoted = source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message
    .replace(new RegExp(`\\(${quoted} line (\\d+)\\)`, 'g'), (_m, n: string) => `(${source} line ${Number(n) + offset})`)
    .replace(new RegExp(`^${quoted}:(\\d+):`, 'g'), (_m, n: string) => `${source}:${Number(n) + offset}:`);
}
