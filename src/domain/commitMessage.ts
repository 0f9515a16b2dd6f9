// The GitOps commit message of a request: subject, trailers naming who asked and who approved, the thread and the run.
import { runTrailer } from './overlayStanding.js';
import type { DeployRequest } from './types.js';

export function commitMessage(request: DeployRequest, threadLink: string): string {
  const apps = request.changes.map((c) => `${c.app} ${c.from ?? 'none'} -> ${c.to}`);
  const subject = request.kind === 'rollback' ? `rollback(${request.env}): ${apps.join(', ')}` : `Deploy ${request.env}: ${apps.join(', ')}`;
  const approvers = request.approvals.length > 0 ? request.approvals.join(', ') : 'none required';
  return [
    subject,
    '',
    `Environment: ${request.env}`,
    ...apps.map((a) => `App: ${a}`),
    `Requested-by: ${request.requester}`,
    `Approved-by: ${approvers}`,
    `Slack-thread: ${threadLink}`,
    runTrailer(request.id),
  ].join('\n');
}
