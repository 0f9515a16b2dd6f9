// Parses the text of `/incident`: forgiving in form (sev1, SEV-1, 1), strict in content; refusals are IncidentProblems.
import { IncidentRefusal } from './incidentEvents.js';
import { parseSeverity, type Severity } from './incidents.js';

/** Longest title kept; the channel name and the card shorten it further. */
export const MAX_TITLE = 300;
/** Longest status update or summary kept. */
export const MAX_TEXT = 3_000;

export type IncidentCommand =
  | { kind: 'help' }
  | { kind: 'list' }
  | { kind: 'declare'; severity: Severity; title: string }
  | { kind: 'resolve' }
  | { kind: 'sev'; severity: Severity }
  | { kind: 'update'; text: string }
  | { kind: 'lead'; user: string };

/** `<@U123|name>`, `<@U123>` (what Slack sends with escaping on) or a bare `U123` id. */
export function parseUserMention(text: string): string | null {
  const m = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(text.trim()) ?? /^@?([UW][A-Z0-9]{2,})$/.exec(text.trim());
  return m ? m[1]! : null;
}

/** Parses `/incident` text against the severities people may declare. */
export function parseIncidentCommand(raw: string, known: Severity[]): IncidentCommand {
  const text = raw.trim().replace(/\s+/g, ' ');
  const [first = '', ...rest] = text.split(' ');
  const tail = rest.join(' ');
  const word = first.toLowerCase();
  if (word === '' || word === 'help') return { kind: 'help' };
  if (word === 'list' && rest.length === 0) return { kind: 'list' };
  if (word === 'resolve' && rest.length === 0) return { kind: 'resolve' };
  if (word === 'sev' || word === 'severity' || word === 'regrade') {
    const severity = parseSeverity(tail);
    if (!severity) throw new IncidentRefusal({ code: 'incident-usage', usage: 'sev-argument', got: tail });
    return { kind: 'sev', severity: knownOrRefuse(severity, tail, known) };
  }
  if (word === 'update') {
    const body = raw.trim().slice(first.length).trim();
    if (body === '') throw new IncidentRefusal({ code: 'incident-usage', usage: 'update-text', got: '' });
    return { kind: 'update', text: body.slice(0, MAX_TEXT) };
  }
  if (word === 'lead' || word === 'commander') {
    const user = rest.length === 1 ? parseUserMention(tail) : null;
    if (!user) throw new IncidentRefusal({ code: 'incident-usage', usage: 'lead-argument', got: tail });
    return { kind: 'lead', user };
  }
  const severity = parseSeverity(first);
  if (!severity) throw new IncidentRefusal({ code: 'incident-usage', usage: 'unknown', got: text });
  const title = tail.trim();
  if (title === '') throw new IncidentRefusal({ code: 'incident-usage', usage: 'no-title', got: first });
  return { kind: 'declare', severity: knownOrRefuse(severity, first, known), title: title.slice(0, MAX_TITLE) };
}

function knownOrRefuse(severity: Severity, given: string, known: Severity[]): Severity {
  if (!known.includes(severity)) throw new IncidentRefusal({ code: 'unknown-severity', given, known });
  return severity;
}
