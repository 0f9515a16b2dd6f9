// The two kinds of error: UserError speaks to the person in Slack, anything else is ours to log.

/** A problem the person can fix; its message is shown to them as it is. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

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
