// Who may request and who may approve: audiences of users and groups, and the approval rules (no self-approval, one vote each).
import type { ApprovalPolicy, Audience, EnvironmentConfig } from './config.js';
import type { Problem } from './problems.js';
import type { DeployRequest } from './types.js';

/** Members of Slack user groups: a map group -> users, or a lookup function. */
export type GroupMembers = Map<string, string[]> | ((group: string) => string[]);

function membersOf(members: GroupMembers, group: string): string[] {
  return typeof members === 'function' ? members(group) : (members.get(group) ?? []);
}

/** True when the user is listed, or is a member of a listed group. */
export function isInAudience(user: string, audience: Audience, members: GroupMembers): boolean {
  return audience.users.includes(user) || audience.groups.some((g) => membersOf(members, g).includes(user));
}

/** True when the user may ask for a deploy to the environment; without `deployers`, anyone may. */
export function canRequest(env: EnvironmentConfig, user: string, members: GroupMembers): boolean {
  return env.deployers === undefined || isInAudience(user, env.deployers, members);
}

/** The approval policy for a kind of request: rollbacks use `rollback` when set, else the deploy policy. */
export function policyFor(env: EnvironmentConfig, kind: DeployRequest['kind']): ApprovalPolicy {
  return kind === 'rollback' && env.rollback ? env.rollback : env.approval;
}

/** Why the user may not approve (or, with `rejecting`, reject) the request, or null when they may. */
export function approvalProblem(
  request: Pick<DeployRequest, 'kind' | 'env' | 'requester' | 'approvals' | 'state'>,
  policy: ApprovalPolicy,
  user: string,
  members: GroupMembers,
  opts: { rejecting?: boolean } = {},
): Problem | null {
  if (request.state !== 'pending') return { code: 'request-decided', state: request.state };
  if (!isInAudience(user, policy.approvers, members)) return { code: 'not-approver', env: request.env, kind: request.kind, action: opts.rejecting ? 'reject' : 'approve' };
  if (opts.rejecting) return null;
  if (user === request.requester) return { code: 'own-request', kind: request.kind };
  if (request.approvals.includes(user)) return { code: 'already-approved' };
  return null;
}
