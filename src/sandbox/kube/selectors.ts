// Label and field selectors as the Kubernetes fake understands them: equality and existence terms, joined by commas.
import { StatusError } from './objects.js';

export type Selector = (obj: any) => boolean;

function terms(text: string | null): string[] {
  return (text ?? '').split(',').map((t) => t.trim()).filter(Boolean);
}

/** `a=b`, `a==b`, `a!=b`, `a`, `!a`; set-based terms (`in`, `notin`) are not supported by the fake. */
export function labelSelector(text: string | null): Selector {
  const checks = terms(text).map((term): Selector => {
    const labels = (o: any): Record<string, string> => o.metadata?.labels ?? {};
    const neq = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(term);
    if (neq) return (o) => labels(o)[neq[1]!] !== neq[2];
    const eq = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(term);
    if (eq) return (o) => labels(o)[eq[1]!] === eq[2];
    if (term.startsWith('!')) return (o) => !(term.slice(1) in labels(o));
    if (/^[A-Za-z0-9./_-]+$/.test(term)) return (o) => term in labels(o);
    throw new StatusError(400, 'BadRequest', `unable to parse requirement: "${term}" (the fake supports =, ==, != and existence)`);
  });
  return (o) => checks.every((c) => c(o));
}

const FIELDS: Record<string, (o: any) => string> = {
  'metadata.name': (o) => o.metadata?.name ?? '',
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
};

/** `metadata.name=x`, `metadata.namespace!=y`: the two fields every resource supports. */
export function fieldSelector(text: string | null): Selector {
  const checks = terms(text).map((term): Selector => {
    const match = /^([^!=\s]+)\s*(!=|==|=)\s*(.*)$/.exec(term);
    const field = match ? FIELDS[match[1]!] : undefined;
    if (!match || !field) throw new StatusError(400, 'BadRequest', `"${term}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    const value = match[3]!;
    return match[2] === '!=' ? (o) => field(o) !== value : (o) => field(o) === value;
  });
  return (o) => checks.every((c) => c(o));
}
