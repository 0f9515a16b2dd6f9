// The deploy/rollback request message: what would change, who may sign, and Approve/Reject while pending.
import { formatDuration } from '../../../domain/durations.js';
import { canRetrySync } from '../../../domain/requestStates.js';
import type { DeployRequest } from '../../../domain/types.js';
import type { RequestView } from '../../../ports.js';
import { wordProblem } from '../../../wording/problems.js';
import { channel, code, escapeMrkdwn, group, link, slackWords, truncate, user } from '../mrkdwn.js';
import { changeBlocks } from './changes.js';
import { LIMITS, actions, button, context, header, packLines, section, shortSha, type SlackMessage } from './kit.js';

export const ACTION_APPROVE = 'deploy_approve';
export const ACTION_REJECT = 'deploy_reject';
export const ACTION_RETRY_SYNC = 'deploy_retry_sync';

/** Listing more approvers than this helps nobody; the rest are counted. */
const APPROVERS_SHOWN = 20;

/** ":rocket: Deploy v3.0.0 to staging" or ":rewind: Roll back staging to v2.9.0" (plain text). */
export function requestTitle(request: DeployRequest): string {
  return request.kind === 'rollback'
    ? `:rewind: Roll back ${request.env} to ${request.version}`
    : `:rocket: Deploy ${request.version} to ${request.env}`;
}

export function requestMessage(request: DeployRequest, view: RequestView): SlackMessage {
  const top = [
    header(requestTitle(request)),
    context([
      `Requested by ${user(request.requester)}`,
      `Run ${escapeMrkdwn(request.id)}`,
      `GitOps ${code(view.gitopsRepo)}`,
      ...(view.argoUrl ? [link(view.argoUrl, 'Argo CD')] : []),
    ]),
  ];
  const bottom = [...packLines(summaryLines(request, view)).map(section), ...stateBlocks(request, view)];
  const budget = LIMITS.blocksPerMessage - top.length - bottom.length;
  return { text: fallbackText(request), blocks: [...top, ...changeBlocks(request.changes, budget), ...bottom] };
}

/** Checks, approvals, approvers and (while pending) expiry. */
function summaryLines(request: DeployRequest, view: RequestView): string[] {
  const lines = [checksLine(request, view), approvalsLine(request)];
  if (request.required > 0) lines.push(approversLine(view));
  if (request.state === 'pending' && view.canary) lines.push(`:hatching_chick: After the sync, Flagger's canary ${escapeMrkdwn(view.canary)} analyses it before it takes all traffic`);
  if (request.state === 'pending' && request.expiresAt !== null) {
    lines.push(`:stopwatch: expires in ${formatDuration(Math.max(0, request.expiresAt - request.createdAt))}`);
  }
  return lines;
}

function checksLine(request: DeployRequest, view: RequestView): string {
  const passed = new Set(request.changes.flatMap((change) => change.checks));
  const ordered = [...view.checks.filter((name) => passed.has(name)), ...[...passed].filter((name) => !view.checks.includes(name))];
  if (ordered.length === 0) return view.checks.length === 0 ? 'Checks: none required' : 'Checks: none passed yet';
  return `✅ ${ordered.map(escapeMrkdwn).join(', ')}`;
}

function approvalsLine(request: DeployRequest): string {
  if (request.required === 0) return 'No approval needed';
  const who = request.approvals.map(user).join(', ');
  return `Approvals ${request.approvals.length} of ${request.required}${who ? `: ${who}` : ''}`;
}

function approversLine(view: RequestView): string {
  const all = [...view.approvers.users.map(user), ...view.approvers.groups.map(group)];
  if (all.length === 0) return 'Approvers: none configured';
  const shown = all.slice(0, APPROVERS_SHOWN).join(', ');
  const more = all.length > APPROVERS_SHOWN ? ` and ${all.length - APPROVERS_SHOWN} more` : '';
  return `Approvers: ${shown}${more}`;
}

/** The Approve/Reject buttons while pending; afterwards a status line in their place. */
function stateBlocks(request: DeployRequest, view: RequestView): object[] {
  // A sync that failed after the commit has a way on: ask Argo CD again (it disappears once pressed: the state moves).
  if (canRetrySync(request)) return [section(statusLine(request, view)), actions(`retry:${request.id}`, [button({ text: 'Retry sync', actionId: ACTION_RETRY_SYNC, value: request.id })])];
  if (request.state !== 'pending') return [section(statusLine(request, view))];
  return [
    actions(`request:${request.id}`, [
      button({ text: 'Approve', actionId: ACTION_APPROVE, value: request.id, style: 'primary' }),
      button({ text: 'Reject', actionId: ACTION_REJECT, value: request.id, style: 'danger' }),
    ]),
  ];
}

/** One line saying where the request stands, for every state but pending. */
export function statusLine(request: DeployRequest, view: RequestView): string {
  const commit = request.commitSha ? code(shortSha(request.commitSha)) : null;
  const analysis = view.canary ? `, then Flagger's canary ${escapeMrkdwn(view.canary)} analyses it` : '';
  switch (request.state) {
    case 'pending':
      return `⏳ Waiting for ${request.required - request.approvals.length} more approval(s)`;
    case 'approved':
      return request.required === 0
        ? `⏳ No approval needed; writing the commit to ${code(view.gitopsRepo)}`
        : `⏳ Approved by ${request.approvals.map(user).join(', ')}; writing the commit to ${code(view.gitopsRepo)}`;
    case 'committed':
      return `⏳ Committed ${commit ?? 'the change'} to ${code(view.gitopsRepo)}; asking Argo CD to sync it${analysis}`;
    case 'syncing':
      return `⏳ Syncing… Argo CD is applying ${commit ?? 'the change'}${analysis}`;
    case 'analysing':
      return `⏳ Synced ${commit ?? 'the change'}; Flagger's canary${view.canary ? ` ${escapeMrkdwn(view.canary)}` : ''} is analysing it`;
    case 'aborting':
      return `⏳ Approved; Flagger is rolling the canary${view.canary ? ` ${escapeMrkdwn(view.canary)}` : ''} back (its rollback gate is open)`;
    case 'succeeded': {
      const what = request.kind === 'rollback' ? `Rolled back ${escapeMrkdwn(request.env)} to ${escapeMrkdwn(request.version)}` : `Deployed ${escapeMrkdwn(request.version)} to ${escapeMrkdwn(request.env)}`;
      return `✅ ${what}${commit ? ` (commit ${commit})` : ''}${successNote(request)}`;
    }
    case 'failed':
      return `❌ Failed: ${request.outcome?.result === 'failed' ? truncate(wordProblem(request.outcome.problem, slackWords), 1500) : noteOf(request) || 'see the thread for details'}`;
    case 'rejected': {
      const withdrawn = request.outcome?.result === 'rejected' && request.outcome.withdrawn;
      if (withdrawn) return `↩️ Withdrawn by ${user(request.requester)}, who requested it`;
      return `🚫 Rejected${request.rejectedBy ? ` by ${user(request.rejectedBy)}` : ''}`;
    }
    case 'expired': {
      const ttl = request.expiresAt !== null ? formatDuration(Math.max(0, request.expiresAt - request.createdAt)) : 'the time allowed';
      return `⌛ Expired: no approval within ${ttl} (${request.approvals.length} of ${request.required})`;
    }
  }
}

/** What the success adds: the canary's verdict. */
function successNote(request: DeployRequest): string {
  const outcome = request.outcome;
  if (outcome?.result === 'note') return ` — ${noteOf(request)}`;
  if (outcome?.result !== 'succeeded') return '';
  if (!outcome.canary) return ` — ${escapeMrkdwn(outcome.application)} synced and healthy`;
  if (outcome.canary.aborted) return ` — Flagger aborted canary ${escapeMrkdwn(outcome.canary.name)}: all traffic is back on the primary; git still names the new version`;
  return ` — ${escapeMrkdwn(outcome.application)} synced and healthy; ${outcome.canary.initialised ? 'Flagger initialised the canary' : 'canary analysis passed and Flagger promoted it'}`;
}

/** An outcome stored as text by an older release. */
function noteOf(request: DeployRequest): string {
  return request.outcome?.result === 'note' ? escapeMrkdwn(truncate(request.outcome.text, 1000)) : '';
}

/** The one-line notice in channels.deploys for a request posted in another channel. */
export function requestNotice(r: { kind: DeployRequest['kind']; env: string; version: string; requester: string; channel: string }, permalink: string | null): string {
  const what = r.kind === 'rollback' ? `roll back ${escapeMrkdwn(r.env)} to ${code(r.version)}` : `deploy ${code(r.version)} to ${escapeMrkdwn(r.env)}`;
  const where = permalink ? link(permalink, 'the request') : 'the request';
  return `:mega: ${user(r.requester)} asked to ${what} in ${channel(r.channel)}: ${where}`;
}

/** The notification text: title, requester and where it stands. */
function fallbackText(request: DeployRequest): string {
  const title = requestTitle(request).replace(/^:\w+: /, '');
  const state =
    request.state === 'pending'
      ? request.required > 0
        ? `waiting for approval (${request.approvals.length} of ${request.required})`
        : 'starting'
      : request.state;
  return truncate(`${escapeMrkdwn(title)}, requested by ${user(request.requester)}: ${state}`, LIMITS.fallbackText);
}
