// A small Go-template renderer for the chart tests (no helm binary here): the actions, functions and Sprig helpers the
// Flightdeck chart uses, with Helm's .Values/.Release/.Chart; anything else throws, so the chart cannot drift past it unseen.
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';

type Node = { kind: 'text'; text: string } | { kind: 'action'; expr: string } | { kind: 'block'; type: 'if' | 'with' | 'range'; branches: Array<{ expr: string | null; body: Node[] }> };
type Scope = { vars: Map<string, unknown>; parent: Scope | null };

export class ChartFailure extends Error {}

/** Renders every template of the chart with the values merged over values.yaml; returns the YAML documents by file. */
export function renderChart(chartDir: string, overrides: Record<string, unknown> = {}, release = { Name: 'fd', Namespace: 'ops' }): Record<string, any[]> {
  const { files, render } = prepare(chartDir, overrides, release);
  const out: Record<string, any[]> = {};
  for (const f of files.filter((f) => f.endsWith('.yaml'))) {
    out[f] = parseAllDocuments(render(f)).map((d) => d.toJSON()).filter((d) => d !== null);
  }
  return out;
}

/** templates/NOTES.txt as `helm install` prints it (Helm renders it after the manifests, so their failures come first). */
export function renderNotes(chartDir: string, overrides: Record<string, unknown> = {}, release = { Name: 'fd', Namespace: 'ops' }): string {
  renderChart(chartDir, overrides, release);
  return prepare(chartDir, overrides, release).render('NOTES.txt');
}

function prepare(chartDir: string, overrides: Record<string, unknown>, release: { Name: string; Namespace: string }) {
  const chart = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  const values = merge(parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>, overrides);
  const files = readdirSync(join(chartDir, 'templates')).sort();
  const defines = new Map<string, Node[]>();
  for (const f of files.filter((f) => f.endsWith('.tpl'))) collectDefines(parse(readFileSync(join(chartDir, 'templates', f), 'utf8')), defines);
  const root = { Values: values, Release: { ...release, Service: 'Helm' }, Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion } };
  const render = (file: string): string => new Renderer(defines, root).render(parse(readFileSync(join(chartDir, 'templates', file), 'utf8')), root);
  return { files, render };
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b) ? merge(b as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** Text and actions, with Go's trim markers applied, nested into if/with/range blocks and define sections. */
function parse(source: string): Node[] {
  const parts: Array<{ text: string } | { expr: string }> = [];
  const re = /\{\{(-?)\s*([\s\S]*?)\s*(-?)\}\}/g;
  let last = 0;
  let trimNext = false;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    let text = source.slice(last, m.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (m[1]) text = text.replace(/\s+$/, '');
    parts.push({ text });
    if (!/^\/\*[\s\S]*\*\/$/.test(m[2]!)) parts.push({ expr: m[2]! });
    trimNext = Boolean(m[3]);
    last = re.lastIndex;
  }
  parts.push({ text: trimNext ? source.slice(last).replace(/^\s+/, '') : source.slice(last) });
  let i = 0;
  const nodes = (stop: RegExp): { body: Node[]; end: string } => {
    const body: Node[] = [];
    while (i < parts.length) {
      const p = parts[i++]!;
      if ('text' in p) {
        if (p.text) body.push({ kind: 'text', text: p.text });
        continue;
      }
      const word = /^(\w+)\b\s*([\s\S]*)$/.exec(p.expr);
      const head = word?.[1] ?? '';
      if (stop.test(head)) return { body, end: p.expr };
      if (['if', 'with', 'range', 'define'].includes(head)) {
        const branches: Array<{ expr: string | null; body: Node[] }> = [];
        let expr: string | null = word![2]!;
        for (;;) {
          const inner = nodes(/^(else|end)$/);
          branches.push({ expr, body: inner.body });
          if (inner.end === 'end') break;
          const elseIf = /^else\s+if\s+([\s\S]+)$/.exec(inner.end);
          expr = elseIf ? elseIf[1]! : null;
        }
        body.push(head === 'define' ? { kind: 'block', type: 'if', branches: [{ expr: `define ${word![2]}`, body: branches[0]!.body }] } : { kind: 'block', type: head as 'if', branches });
      } else body.push({ kind: 'action', expr: p.expr });
    }
    return { body, end: '' };
  };
  return nodes(/(?!)/).body;
}

function collectDefines(nodes: Node[], into: Map<string, Node[]>): void {
  for (const n of nodes) {
    const name = n.kind === 'block' ? /^define\s+"([^"]+)"/.exec(n.branches[0]?.expr ?? '')?.[1] : undefined;
    if (name && n.kind === 'block') into.set(name, n.branches[0]!.body);
  }
}

const truthy = (v: unknown): boolean =>
  !(v === undefined || v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0));

class Renderer {
  constructor(private readonly defines: Map<string, Node[]>, private readonly root: unknown) {}

  render(nodes: Node[], dot: unknown, scope: Scope = { vars: new Map([['$', dot]]), parent: null }): string {
    let out = '';
    for (const n of nodes) {
      if (n.kind === 'text') out += n.text;
      else if (n.kind === 'action') {
        const value = this.pipeline(n.expr, dot, scope);
        if (!/^\$\w*\s*:?=/.test(n.expr)) out += value === undefined || value === null ? '' : String(value);
      } else out += this.block(n, dot, scope);
    }
    return out;
  }

  private block(n: Extract<Node, { kind: 'block' }>, dot: unknown, scope: Scope): string {
    const child = (): Scope => ({ vars: new Map(), parent: scope });
    if (n.branches[0]?.expr?.startsWith('define ')) return '';
    if (n.type === 'range') {
      const m = /^(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*)?([\s\S]+)$/.exec(n.branches[0]!.expr!)!;
      const list = this.pipeline(m[3]!, dot, scope);
      const entries: Array<[unknown, unknown]> = Array.isArray(list) ? list.map((v, i) => [i, v]) : list && typeof list === 'object' ? Object.keys(list).sort().map((k) => [k, (list as any)[k]]) : [];
      if (entries.length === 0) return n.branches[1] ? this.render(n.branches[1].body, dot, child()) : '';
      return entries
        .map(([k, v]) => {
          const s = child();
          if (m[1] && m[2]) {
            s.vars.set(m[1], k);
            s.vars.set(m[2], v);
          } else if (m[1]) s.vars.set(m[1], v);
          return this.render(n.branches[0]!.body, v, s);
        })
        .join('');
    }
    for (const b of n.branches) {
      if (b.expr === null) return this.render(b.body, dot, child());
      const value = this.pipeline(b.expr, dot, scope);
      if (truthy(value)) return this.render(b.body, n.type === 'with' ? value : dot, child());
    }
    return '';
  }

  pipeline(expr: string, dot: unknown, scope: Scope): unknown {
    const assign = /^(\$\w+)\s*(:?=)\s*([\s\S]+)$/.exec(expr);
    if (assign) {
      const value = this.pipeline(assign[3]!, dot, scope);
      let target: Scope | null = scope;
      if (assign[2] === '=') while (target && !target.vars.has(assign[1]!)) target = target.parent;
      (target ?? scope).vars.set(assign[1]!, value);
      return value;
    }
    const stages = splitTop(expr, '|');
    let value: unknown;
    stages.forEach((stage, i) => {
      const args = tokens(stage.trim());
      value = this.call(args, dot, scope, i === 0 ? [] : [value]);
    });
    return value;
  }

  private call(args: string[], dot: unknown, scope: Scope, piped: unknown[]): unknown {
    const [head, ...rest] = args;
    if (head === undefined) throw new Error('empty action');
    const fn = FUNCTIONS[head] ?? (head === 'include' || head === 'template' ? undefined : null);
    if (fn === null) {
      if (rest.length > 0 || piped.length > 0) throw new Error(`unknown function ${head}`);
      return this.operand(head, dot, scope);
    }
    const values = rest.map((a) => this.operand(a, dot, scope)).concat(piped);
    if (fn === undefined) {
      const body = this.defines.get(String(values[0]));
      if (!body) throw new Error(`no template ${String(values[0])}`);
      return this.render(body, values[1], { vars: new Map([['$', values[1]]]), parent: null });
    }
    return fn(...values);
  }

  private operand(token: string, dot: unknown, scope: Scope): unknown {
    if (token.startsWith('(')) return this.pipeline(token.slice(1, -1), dot, scope);
    if (token.startsWith('"')) return JSON.parse(token);
    if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
    if (token === 'true' || token === 'false') return token === 'true';
    if (token === 'nil') return null;
    if (FUNCTIONS[token]) return FUNCTIONS[token]!();
    const m = /^(\$\w*|)((?:\.\w+)*|\.)$/.exec(token);
    if (!m) throw new Error(`cannot read ${token}`);
    let value: unknown = m[1] ? lookupVar(scope, m[1]) : dot;
    for (const key of (m[2] === '.' ? '' : m[2]!).split('.').filter(Boolean)) value = value && typeof value === 'object' ? (value as any)[key] : undefined;
    return value;
  }
}

function lookupVar(scope: Scope | null, name: string): unknown {
  for (let s = scope; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
  throw new Error(`undefined variable ${name}`);
}

/** Splits on `sep` outside strings and parentheses. */
function splitTop(expr: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"') {
      const end = expr.indexOf('"', i + 1);
      cur += expr.slice(i, end + 1);
      i = end;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  return [...out, cur];
}

function tokens(stage: string): string[] {
  return splitTop(stage.replace(/\s+/g, ' '), ' ').filter(Boolean);
}

const toYaml = (v: unknown): string => (v === undefined || v === null ? 'null' : stringify(v, { lineWidth: 0 }).replace(/\n$/, ''));
const indent = (n: number, s: unknown): string => String(s).split('\n').map((l) => ' '.repeat(n) + l).join('\n');

const FUNCTIONS: Record<string, (...a: any[]) => unknown> = {
  toYaml,
  toJson: (v) => JSON.stringify(v),
  nindent: (n, s) => `\n${indent(n, s)}`,
  indent,
  quote: (s) => JSON.stringify(String(s ?? '')),
  default: (d, v) => (truthy(v) ? v : d),
  printf: (f: string, ...a: unknown[]) => f.replace(/%[sdv]/g, () => String(a.shift())),
  trunc: (n, s) => String(s).slice(0, n),
  trimSuffix: (x, s) => (String(s).endsWith(x) ? String(s).slice(0, -x.length) : String(s)),
  replace: (a, b, s) => String(s).split(a).join(b),
  contains: (sub, s) => String(s).includes(sub),
  hasPrefix: (p, s) => String(s).startsWith(p),
  sha256sum: (s) => createHash('sha256').update(String(s)).digest('hex'),
  list: (...a) => a,
  dict: (...a) => Object.fromEntries(Array.from({ length: a.length / 2 }, (_, i) => [a[2 * i], a[2 * i + 1]])),
  set: (d, k, v) => Object.assign(d, { [k]: v }),
  get: (d, k) => (d && k in d ? d[k] : ''),
  hasKey: (d, k) => Boolean(d && k in d),
  keys: (d) => Object.keys(d ?? {}),
  sortAlpha: (l) => [...l].map(String).sort(),
  uniq: (l) => [...new Set(l)],
  append: (l, v) => [...(l ?? []), v],
  concat: (...ls) => ls.flat(),
  join: (sep, l) => (l ?? []).map(String).join(sep),
  has: (v, l) => (l ?? []).includes(v),
  len: (v) => (Array.isArray(v) || typeof v === 'string' ? v.length : Object.keys(v ?? {}).length),
  empty: (v) => !truthy(v),
  not: (v) => !truthy(v),
  and: (...a) => a.reduce((acc, v) => (truthy(acc) ? v : acc)),
  or: (...a) => a.find(truthy) ?? a[a.length - 1],
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  gt: (a, b) => a > b,
  lt: (a, b) => a < b,
  int: (v) => Math.trunc(Number(v)),
  fail: (msg) => {
    throw new ChartFailure(String(msg));
  },
  required: (msg, v) => {
    if (!truthy(v)) throw new ChartFailure(String(msg));
    return v;
  },
};
