// Reads the HTTP status and message of an Octokit request error without depending on its class.

/** The HTTP status of a failed GitHub call, or undefined when the error is not an HTTP answer. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : undefined;
}

/** GitHub's `message` from the error body, falling back to the error's own message. */
export function githubMessageOf(error: unknown): string {
  const data = (error as { response?: { data?: unknown } } | null)?.response?.data;
  if (typeof data === 'object' && data !== null && typeof (data as { message?: unknown }).message === 'string') return (data as { message: string }).message;
  return error instanceof Error ? error.message : String(error);
}
