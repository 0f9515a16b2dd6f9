// Who may request and who may approve: audiences of users and groups, and the approval rules (no self-approval, one vote each).
import type { ApprovalPolicy, Audience, EnvironmentConfig } from '../config/schema.js';
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

/**
 * Why the user may not approve (or, with `rejecting`, reject) the request, or null when they may.
 * The message is for the user in Slack.
 */
export function approvalProblem(
  request: Pick<DeployRequest, 'kind' | 'env' | 'requester' | 'approvals' | 'state'>,
  policy: ApprovalPolicy,
  user: string,
  members: GroupMembers,
  opts: { rejecting?: boolean } = {},
): string | null {
  const verb = opts.rejecting ? 'reject' : 'approve';
  if (request.state !== 'pending') return `This request is already ${request.state}; nothing was changed.`;
  if (!isInAudience(user, policy.approvers, members)) {
    return `You are not an approver of ${request.kind === 'rollback' ? 'rollbacks' : 'deploys'} to ${request.env}, so you cannot ${verb} this request.`;
  }
  if (opts.rejecting) return null;
  if (user === request.requester) return `You requested this ${request.kind}; someone else must approve it.`;
  if (request.approvals.includes(user)) return 'You have already approved this request; another approver is needed.';
  return null;
}
