// The promote workflow up to the decision: request (checks, message, TTL), approve, reject and expire.
import type { EnvironmentConfig } from '../domain/config.js';
import { approvalProblem, policyFor } from '../domain/policy.js';
import { UserError, type Problem } from '../domain/problems.js';
import type { DeployRequest } from '../domain/types.js';
import { ACTIVE_STATES } from '../domain/requestStates.js';
import { newRunId, type WorkflowDeps } from './context.js';
import { linkOf } from './status.js';
import { deliver } from './delivery/deliver.js';
import { checkNotHeld, checkPromotion } from './promotionChecks.js';
import { endUndelivered, environmentOf, EXPIRY_TIMER, refreshPendingGauge, runOf, viewOf } from './requests.js';

export { EXPIRY_TIMER } from './requests.js';

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
  const unposted = { runId, thread: null };
  const checked = await notAskedYet(deps, cmd).then(() => checkPromotion(deps, cmd)).catch(async (err: unknown) => {
    // Refusals are part of the record too: who asked for what, and why it was refused.
    if (err instanceof UserError) await deps.events.emit(unposted, cmd.user, { type: 'refused', kind: 'deploy', env: cmd.env.name, version: cmd.version, problem: err.problem });
    throw err;
  });
  return openRequest(deps, { runId, kind: 'deploy', env: cmd.env, version: cmd.version, changes: checked.changes, user: cmd.user, channel: cmd.channel, overlay: checked.overlay });
}

export interface NewRequest {
  runId: string;
  kind: DeployRequest['kind'];
  env: EnvironmentConfig;
  version: string;
  changes: DeployRequest['changes'];
  user: string;
  channel: string;
  overlay: DeployRequest['overlayBase'];
}

/** Records a checked deploy or rollback under its kind's approval policy, arms its expiry, posts it and goes on. */
export async function openRequest(deps: WorkflowDeps, input: NewRequest): Promise<DeployRequest> {
  const now = deps.clock.now();
  const policy = policyFor(input.env, input.kind);
  const request: DeployRequest = {
    id: input.runId,
    kind: input.kind,
    env: input.env.name,
    version: input.version,
    changes: input.changes,
    requester: input.user,
    channel: input.channel,
    messageTs: null,
    state: policy.required > 0 ? 'pending' : 'approved',
    required: policy.required,
    approvals: [],
    rejectedBy: null,
    createdAt: now,
    expiresAt: policy.required > 0 ? now + policy.ttl : null,
    commitSha: null,
    canaryBaseline: null,
    outcome: null,
    overlayBase: input.overlay,
    updatedAt: now,
  };
  await deps.store.createRequest(request);
  const changes = input.changes.map((c) => ({ app: c.app, from: c.from, to: c.to }));
  await deps.events.emit({ runId: request.id, thread: null }, input.user, { type: 'requested', kind: request.kind, env: request.env, version: request.version, changes, required: request.required });
  if (request.expiresAt !== null) await deps.store.schedule(EXPIRY_TIMER, request.id, request.expiresAt);
  return postAndGo(deps, request);
}

/** The same deploy (environment and version) is not already waiting or under way: point to it rather than ask twice. */
async function notAskedYet(deps: WorkflowDeps, cmd: PromoteCommand): Promise<void> {
  const open = (await deps.store.listRequests(['pending', ...ACTIVE_STATES])).find(
    (r) => r.kind === 'deploy' && r.env === cmd.env.name && r.version === cmd.version && (r.state !== 'pending' || r.expiresAt === null || r.expiresAt > deps.clock.now()),
  );
  if (open) throw new UserError({ code: 'already-requested', env: open.env, version: open.version, runId: open.id, state: open.state, link: await linkOf(deps, open) });
}

/** Posts the request message; with no approval needed, delivers at once. A request nobody could see never goes ahead. */
export async function postAndGo(deps: WorkflowDeps, request: DeployRequest): Promise<DeployRequest> {
  const thread = await deps.chat.postRequest(request.channel, request, viewOf(deps.config, request)).catch(async (err: unknown) => {
    const problem: Problem = err instanceof UserError ? err.problem : { code: 'internal', reference: request.id };
    await endUndelivered(deps, request, problem);
    throw err;
  });
  const posted = (await deps.store.patchRequest(request.id, { messageTs: thread.ts, channel: thread.channel }, deps.clock.now())) ?? request;
  await deps.events.emit(runOf(posted), request.requester, { type: 'request-posted', channel: thread.channel, ts: thread.ts, kind: posted.kind, env: posted.env, version: posted.version, requester: posted.requester });
  await refreshPendingGauge(deps);
  if (posted.state !== 'approved') return posted;
  await deps.events.emit(runOf(posted), 'flightdeck', { type: 'no-approval-needed', env: posted.env });
  return deliver(deps, posted);
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
  if (request.kind === 'deploy') await checkNotHeld(deps, env, 'approval-not-recorded');

  const outcome = await deps.store.approve(requestId, user, deps.clock.now());
  if (!outcome) throw new UserError({ code: 'request-gone' });
  const { request: updated } = outcome;
  switch (outcome.kind) {
    case 'duplicate':
      throw new UserError({ code: 'already-approved' });
    case 'not-pending':
      throw new UserError({ code: 'request-decided', state: updated.state });
    case 'expired':
      await expireRequest(deps, requestId);
      throw new UserError({ code: 'request-expired' });
    case 'recorded':
    case 'approved': {
      const run = runOf(updated);
      deps.events.show(run, updated);
      await deps.events.emit(run, user, { type: 'approved', by: user, approvals: updated.approvals.length, required: updated.required });
      if (outcome.kind === 'approved') {
        await deps.store.cancel(EXPIRY_TIMER, requestId);
        await refreshPendingGauge(deps);
        await deliver(deps, updated);
      }
    }
  }
}

/** An approver pressed Reject, or the requester withdrew their request. */
export async function rejectRequest(deps: WorkflowDeps, requestId: string, user: string): Promise<void> {
  const request = await liveRequest(deps, requestId);
  const env = environmentOf(deps, request);
  const withdrawn = user === request.requester;
  if (!withdrawn) {
    const policy = policyFor(env, request.kind);
    const members = await deps.members.of(policy.approvers.groups);
    const problem = approvalProblem(request, policy, user, members, { rejecting: true });
    if (problem) throw new UserError(problem);
  }
  const rejected = await deps.store.transition(requestId, 'pending', 'rejected', { rejectedBy: user, outcome: { result: 'rejected', withdrawn } }, deps.clock.now());
  if (!rejected) throw new UserError({ code: 'request-decided', state: (await deps.store.getRequest(requestId))?.state ?? 'decided' });
  await deps.store.cancel(EXPIRY_TIMER, requestId);
  // The decision is stored: a Slack hiccup from here on is logged, not reported as "nothing changed".
  const run = runOf(rejected);
  deps.events.show(run, rejected);
  await deps.events.emit(run, user, withdrawn ? { type: 'withdrawn', by: user } : { type: 'rejected', by: user });
  deps.metrics.workflowOutcome(rejected.kind, 'rejected');
  await refreshPendingGauge(deps);
}

/** The TTL passed without enough approvals. Safe to call twice: only a pending request expires. */
export async function expireRequest(deps: WorkflowDeps, requestId: string): Promise<DeployRequest | null> {
  const request = await deps.store.getRequest(requestId);
  if (!request || request.state !== 'pending') return null;
  const expired = await deps.store.transition(requestId, 'pending', 'expired', { outcome: { result: 'expired' } }, deps.clock.now());
  if (!expired) return null;
  // A request whose message is still being posted has nothing to update yet; its buttons answer that it expired.
  const run = runOf(expired);
  deps.events.show(run, expired);
  await deps.events.emit(run, 'flightdeck', { type: 'expired', approvals: expired.approvals.length, required: expired.required });
  deps.metrics.workflowOutcome(expired.kind, 'expired');
  await refreshPendingGauge(deps);
  return expired;
}

/** The request, expiring it first when its TTL has passed (the timer may not have fired yet). */
async function liveRequest(deps: WorkflowDeps, requestId: string): Promise<DeployRequest> {
  const request = await deps.store.getRequest(requestId);
  if (!request) throw new UserError({ code: 'request-gone' });
  if (request.state === 'pending' && request.expiresAt !== null && deps.clock.now() >= request.expiresAt) {
    await expireRequest(deps, requestId);
    throw new UserError({ code: 'request-expired' });
  }
  if (request.state !== 'pending') throw new UserError({ code: 'request-decided', state: request.state });
  return request;
}
