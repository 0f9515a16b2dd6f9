// The promote workflow up to the decision: request (checks, message, TTL), approve, reject and expire.
import type { EnvironmentConfig } from '../config/schema.js';
import { UserError } from '../domain/errors.js';
import { approvalProblem, policyFor } from '../domain/policy.js';
import type { DeployRequest } from '../domain/types.js';
import { newRunId, recordStep, type WorkflowDeps } from './context.js';
import { deliver } from './deliver.js';
import { checkNotHeld, checkPromotion } from './promotionChecks.js';
import { environmentOf, refreshPendingGauge, threadOf, viewOf } from './requests.js';
import { ThreadUpdates } from './threadUpdates.js';

export const EXPIRY_TIMER = 'request-expiry';

export interface PromoteCommand {
  env: EnvironmentConfig;
  version: string;
  apps: string[];
  user: string;
  channel: string;
}

/** Checks a promotion, records it and posts it for approval (or delivers it at once when none is needed). */
export async function requestPromotion(deps: WorkflowDeps, cmd: PromoteCommand): Promise<DeployRequest> {
  const runId = newRunId();
  const log = deps.log.child({ runId });
  log.info({ env: cmd.env.name, version: cmd.version, apps: cmd.apps, user: cmd.user }, 'promotion requested');
  const changes = await checkPromotion(deps, cmd).catch(async (err: unknown) => {
    // Refusals are part of the record too: who asked for what, and why it was refused.
    if (err instanceof UserError) await recordStep(deps, runId, cmd.user, 'refused', { env: cmd.env.name, version: cmd.version, reason: err.message });
    throw err;
  });
  const now = deps.clock.now();
  const required = cmd.env.approval.required;
  const request: DeployRequest = {
    id: runId,
    kind: 'deploy',
    env: cmd.env.name,
    version: cmd.version,
    changes,
    requester: cmd.user,
    channel: cmd.channel,
    messageTs: null,
    state: required > 0 ? 'pending' : 'approved',
    required,
    approvals: [],
    rejectedBy: null,
    createdAt: now,
    expiresAt: required > 0 ? now + cmd.env.approval.ttl : null,
    commitSha: null,
    canaryBaseline: null,
    outcome: null,
    updatedAt: now,
  };
  await deps.store.createRequest(request);
  await recordStep(deps, runId, cmd.user, 'requested', { env: request.env, version: request.version, changes: changes.map((c) => `${c.app} ${c.from ?? '-'} -> ${c.to}`) });
  if (request.expiresAt !== null) await deps.store.schedule(EXPIRY_TIMER, runId, request.expiresAt);

  const thread = await deps.chat.postRequest(cmd.channel, request, viewOf(deps, request)).catch(async (err: unknown) => {
    // Nobody could see or approve it: close it rather than leave a request without a message behind.
    await deps.store.transition(runId, request.state, 'failed', { outcome: 'the request message could not be posted' }, deps.clock.now());
    await deps.store.cancel(EXPIRY_TIMER, runId);
    throw err;
  });
  const posted = (await deps.store.patchRequest(runId, { messageTs: thread.ts, channel: thread.channel }, deps.clock.now())) ?? request;
  await refreshPendingGauge(deps);
  if (request.state === 'approved') {
    const updates = new ThreadUpdates(deps, thread, runId);
    updates.say(`No approval needed for ${cmd.env.name}: deploying now.`);
    await deliver(deps, posted, { updates });
  }
  return posted;
}

/** An approver pressed Approve: re-read state, check policy, record; the last approval delivers. */
export async function approveRequest(deps: WorkflowDeps, requestId: string, user: string): Promise<void> {
  const request = await liveRequest(deps, requestId);
  const env = environmentOf(deps, request);
  const policy = policyFor(env, request.kind);
  const members = await deps.members.of(policy.approvers.groups);
  const problem = approvalProblem(request, policy, user, members);
  if (problem) throw new UserError(problem);
  // A lock or freeze that came while the request waited holds it too: no deploy starts while held.
  await checkNotHeld(deps, env, 'Your approval was not recorded; the request stays open until it expires or is rejected.');

  const outcome = await deps.store.approve(requestId, user, deps.clock.now());
  if (!outcome) throw new UserError('This request no longer exists.');
  const { request: updated } = outcome;
  switch (outcome.kind) {
    case 'duplicate':
      throw new UserError('You have already approved this request.');
    case 'not-pending':
      throw new UserError(`This request is already ${updated.state}; nothing was changed.`);
    case 'expired':
      await expireRequest(deps, requestId);
      throw new UserError('This request has expired; nothing was changed. Ask again with the same command.');
    case 'recorded':
    case 'approved': {
      await recordStep(deps, requestId, user, 'approved', { approvals: updated.approvals, required: updated.required });
      const updates = new ThreadUpdates(deps, threadOf(updated), requestId);
      updates.show(updated);
      updates.say(`:white_check_mark: Approved by <@${user}> (${updated.approvals.length} of ${updated.required}).`);
      if (outcome.kind === 'approved') {
        await deps.store.cancel(EXPIRY_TIMER, requestId);
        await refreshPendingGauge(deps);
        await deliver(deps, updated, { updates });
      } else {
        await updates.flush();
      }
    }
  }
}

/** An approver (or the requester, withdrawing it) pressed Reject. */
export async function rejectRequest(deps: WorkflowDeps, requestId: string, user: string): Promise<void> {
  const request = await liveRequest(deps, requestId);
  const env = environmentOf(deps, request);
  if (user !== request.requester) {
    const policy = policyFor(env, request.kind);
    const members = await deps.members.of(policy.approvers.groups);
    const problem = approvalProblem(request, policy, user, members, { rejecting: true });
    if (problem) throw new UserError(problem);
  }
  const rejected = await deps.store.transition(requestId, 'pending', 'rejected', { rejectedBy: user, outcome: user === request.requester ? 'withdrawn by the requester' : 'rejected' }, deps.clock.now());
  if (!rejected) throw new UserError('This request was decided meanwhile; nothing was changed.');
  await deps.store.cancel(EXPIRY_TIMER, requestId);
  await recordStep(deps, requestId, user, 'rejected');
  // The decision is stored: a Slack hiccup from here on is logged, not reported as "nothing changed".
  const updates = new ThreadUpdates(deps, threadOf(rejected), requestId);
  updates.show(rejected);
  updates.say(`:no_entry_sign: Rejected by <@${user}>. Nothing was deployed.`);
  await updates.flush();
  deps.metrics.workflowOutcome(rejected.kind, 'rejected');
  await refreshPendingGauge(deps);
}

/** The TTL passed without enough approvals. Safe to call twice: only a pending request expires. */
export async function expireRequest(deps: WorkflowDeps, requestId: string): Promise<DeployRequest | null> {
  const request = await deps.store.getRequest(requestId);
  if (!request || request.state !== 'pending') return null;
  const expired = await deps.store.transition(requestId, 'pending', 'expired', { outcome: 'not enough approvals in time' }, deps.clock.now());
  if (!expired) return null;
  await recordStep(deps, requestId, 'flightdeck', 'expired', { approvals: expired.approvals });
  // A request whose message is still being posted has nothing to update yet; its buttons answer that it expired.
  if (expired.messageTs) {
    const updates = new ThreadUpdates(deps, threadOf(expired), requestId);
    updates.show(expired);
    updates.say(`:hourglass: Expired with ${expired.approvals.length} of ${expired.required} approvals. Nothing was deployed; run the command again to ask anew.`);
    await updates.flush();
  }
  deps.metrics.workflowOutcome(expired.kind, 'expired');
  await refreshPendingGauge(deps);
  return expired;
}

/** The request, expiring it first when its TTL has passed (the timer may not have fired yet). */
async function liveRequest(deps: WorkflowDeps, requestId: string): Promise<DeployRequest> {
  const request = await deps.store.getRequest(requestId);
  if (!request) throw new UserError('This request no longer exists.');
  if (request.state === 'pending' && request.expiresAt !== null && deps.clock.now() >= request.expiresAt) {
    await expireRequest(deps, requestId);
    throw new UserError('This request has expired; nothing was changed. Ask again with the same command.');
  }
  if (request.state !== 'pending') throw new UserError(`This request is already ${request.state}; nothing was changed.`);
  return request;
}
