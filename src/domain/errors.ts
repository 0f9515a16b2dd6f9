// The kinds of error: UserError (a Problem for the person, see problems.ts), a lost optimistic write, a bad config; anything else is ours to log.
export { UserError } from './problems.js';

/** The optimistic write lost: the file changed since it was read. */
export class GitConflictError extends Error {
  override readonly name = 'GitConflictError';
}

/** The environment or config file is not valid; `problems` holds one line per problem, naming the key and what it should be. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** A write whose answer was lost (a reset connection, a 5xx from a proxy): it may or may not have been applied. */
export class UnknownOutcomeError extends Error {
  override readonly name = 'UnknownOutcomeError';
}
