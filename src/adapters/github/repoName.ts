// Splits an "owner/name" repository name into the owner and repo parameters Octokit takes.

export function splitRepo(fullName: string): { owner: string; repo: string } {
  const [owner, repo, extra] = fullName.split('/');
  if (!owner || !repo || extra !== undefined) throw new Error(`a GitHub repository is "owner/name", got "${fullName}"`);
  return { owner, repo };
}
