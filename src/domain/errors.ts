// The two kinds of error: UserError speaks to the person in Slack, anything else is ours to log.

/** A problem the person can fix; its message is shown to them as it is. */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** The optimistic write lost: the file changed since it was read. */
export class GitConflictError extends Error {
  override readonly name = 'GitConflictError';
}
