// Flightdeck's Flagger gates: answers Flagger's webhooks from the store, and opens a revision's gate when the people allowed press its button.
import type { EnvironmentConfig } from '../domain/config.js';
import { CanaryRefusal } from '../domain/canaryProblems.js';
import type { GateApprovalOutcome, GateKind } from '../domain/canaryGates.js';
import { canRequest, isInAudience, policyFor } from '../domain/policy.js';
import type { CanaryRef, MetricsQuery } from '../ports.js';
import type { WorkflowDeps } from './context.js';

/** What the canary workflows need beyond every workflow's ports. */
export interface CanaryDeps extends WorkflowDeps {
  /** Prometheus, where `prometheus.url` is configured */
  metricsQuery: MetricsQuery | null;
}

/** Flagger's webhook body, as validated at the HTTP edge. */
export interface GatePayload {
  name: string;
  namespace: string;
  phase?: string | undefined;
  checksum?: string | undefined;
}

export interface GateAnswer {
  pass: boolean;
  reason: string;
}

/** The kube reference of an environment's canary (namespace: canary.namespace, else the environment's). */
export function canaryRefOfEnv(env: EnvironmentConfig): CanaryRef | null {
  if (!env.canary) return null;
  const namespace = env.canary.namespace ?? env.namespace;
  if (!namespace) return null;
  const context = env.cluster?.context ?? env.argocd.context;
  return { name: env.canary.name, namespace, ...(context ? { context } : {}) };
}

/** The environment whose configured canary Flagger names, or null: Flightdeck answers only for canaries it serves. */
export function environmentOfCanary(deps: Pick<WorkflowDeps, 'config'>, namespace: string, name: string): { env: EnvironmentConfig; ref: CanaryRef } | null {
  for (const env of deps.config.environments) {
    const ref = canaryRefOfEnv(env);
    if (ref && ref.name === name && ref.namespace === namespace) return { env, ref };
  }
  return null;
}

/**
 * Answers one of Flagger's gate webhooks. The first time a checksum is presented, the Canary is read once to tie the
 * checksum to the revision people see (status.lastAppliedSpec), and the canary's older revisions are forgotten.
 */
export async function answerGate(deps: WorkflowDeps, gate: GateKind, payload: GatePayload): Promise<GateAnswer> {
  const served = environmentOfCanary(deps, payload.namespace, payload.name);
  if (!served) return { pass: false, reason: `canary ${payload.namespace}/${payload.name} is not the canary of any environment Flightdeck serves` };
  if (!payload.checksum) return { pass: false, reason: 'no checksum: Flightdeck opens gates per canary revision' };
  const revision = { namespace: payload.namespace, canary: payload.name, checksum: payload.checksum, firstSeen: deps.clock.now() };
  const { isNew, needsSpec } = await deps.store.noteCanaryRevision({ ...revision, appliedSpec: null });
  // Read until it worked once: a Canary that could not be read the first time is tried again on Flagger's next call.
  if (needsSpec) {
    const canary = await deps.cluster.getCanary(served.ref).catch((err: unknown) => {
      deps.log.warn({ err, canary: payload.name, namespace: payload.namespace }, 'could not read the canary a gate was asked for');
      return null;
    });
    if (canary?.lastAppliedSpec) await deps.store.noteCanaryRevision({ ...revision, appliedSpec: canary.lastAppliedSpec });
    if (isNew) deps.log.info({ canary: payload.name, namespace: payload.namespace, checksum: payload.checksum, appliedSpec: canary?.lastAppliedSpec ?? null }, 'flagger presented a new canary revision');
  }
  const record = await deps.store.canaryGate({ namespace: payload.namespace, canary: payload.name, checksum: payload.checksum, gate });
  if (record?.open) return { pass: true, reason: `${gate === 'promote' ? 'Promote canary' : 'Abort canary'} was pressed by ${record.approvals.map((a) => a.user).join(', ')}` };
  const pressed = record ? ` (${record.approvals.length} of ${record.required} approvals)` : '';
  return { pass: false, reason: `no one allowed has pressed ${gate === 'promote' ? 'Promote canary' : 'Abort canary'} for this revision in Slack yet${pressed}` };
}

export interface OpenGateInput {
  env: EnvironmentConfig;
  gate: GateKind;
  user: string;
  /** the revision (lastAppliedSpec) the person saw; the gate opens only while it is still the canary's current one */
  shownSpec?: string | null;
  /** the caller has checked authority itself (an approved rollback): one press opens the gate */
  preApproved?: boolean;
}

/**
 * Records one press of **Promote canary** (gate 'promote') or **Abort canary** (gate 'rollback') for the canary's
 * current revision. Authority is read from the config and Slack at press time: the environment's approvers (deploy
 * approvers for promote, rollback approvers for abort); the gate opens once as many different people as the policy
 * requires pressed it. Throws CanaryRefusal when the person may not, or the revision is not there to open.
 */
export async function openCanaryGate(deps: WorkflowDeps, input: OpenGateInput): Promise<GateApprovalOutcome> {
  const { env, gate, user } = input;
  const ref = canaryRefOfEnv(env);
  if (!ref || !env.canary) throw new CanaryRefusal({ code: 'no-canaries', env: env.name, withCanary: deps.config.environments.filter((e) => e.canary).map((e) => e.name) });
  const policy = policyFor(env, gate === 'promote' ? 'deploy' : 'rollback');
  let required = Math.max(1, policy.required);
  if (input.preApproved) required = 1;
  else {
    const members = await deps.members.of([...new Set([...policy.approvers.groups, ...(env.deployers?.groups ?? [])])]);
    const allowed = isInAudience(user, policy.approvers, members) || (policy.required === 0 && canRequest(env, user, members));
    if (!allowed) throw new CanaryRefusal({ code: 'not-canary-approver', env: env.name, gate, approvers: policy.approvers });
  }
  const canary = await deps.cluster.getCanary(ref);
  if (!canary) throw new CanaryRefusal({ code: 'canary-unreadable', canary: ref.name, namespace: ref.namespace, reason: 'missing' });
  const current = canary.lastAppliedSpec;
  if (input.shownSpec !== undefined && input.shownSpec !== null && input.shownSpec !== current) {
    throw new CanaryRefusal({ code: 'canary-moved-on', canary: ref.name, shown: input.shownSpec, now: current });
  }
  const checksum = current ? await deps.store.canaryChecksumOf(ref.namespace, ref.name, current) : null;
  if (!checksum) throw new CanaryRefusal({ code: 'canary-not-asked', canary: ref.name, gate });
  const outcome = await deps.store.approveCanaryGate({ namespace: ref.namespace, canary: ref.name, checksum, gate }, user, required, deps.clock.now());
  if (outcome.kind === 'superseded') throw new CanaryRefusal({ code: 'canary-moved-on', canary: ref.name, shown: current, now: null });
  // Audited under the canary's own run id, so `auditOf('canary:<ns>/<name>')` tells who opened which gate.
  const runId = `canary:${ref.namespace}/${ref.name}`;
  const detail = { gate, checksum, appliedSpec: current, env: env.name, approvals: outcome.gate.approvals.length, required: outcome.gate.required };
  deps.log.info({ runId, actor: user, action: `canary-gate-${outcome.kind}`, ...detail }, `canary gate ${outcome.kind}`);
  if (outcome.kind === 'recorded' || outcome.kind === 'opened') await deps.store.audit({ at: deps.clock.now(), runId, actor: user, action: `canary-gate-${outcome.kind}`, detail });
  return outcome;
}
