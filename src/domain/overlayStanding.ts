// Where an overlay stands against a request: still at the versions it was asked from, already at its target, or moved by someone else.
import type { AppChange } from './types.js';

export type Standing = 'from' | 'to' | 'moved';

export function overlayStanding(changes: AppChange[], tags: Record<string, string | null>): Standing {
  if (changes.every((c) => (tags[c.image] ?? null) === c.to)) return 'to';
  if (changes.every((c) => (tags[c.image] ?? null) === c.from)) return 'from';
  return 'moved';
}

/** What each changed app runs according to the tags, for saying why a request cannot go on. */
export function runningOf(changes: AppChange[], tags: Record<string, string | null>): Array<{ app: string; tag: string | null }> {
  return changes.map((c) => ({ app: c.app, tag: tags[c.image] ?? null }));
}

/** The trailer that marks a commit as written by one run; a lost answer is recognised by it afterwards. */
export function runTrailer(runId: string): string {
  return `Flightdeck-run: ${runId}`;
}

export function isCommitOfRun(message: string, runId: string): boolean {
  return message.split('\n').some((line) => line.trim() === runTrailer(runId));
}
