// Flightdeck's durable Flagger gates as data: which gate a webhook path asks, the gate records the store keeps, and followers of a canary.

/** `promote` answers confirm-rollout and confirm-promotion (gate/approve, gate/check); `rollback` answers rollback/check. */
export type GateKind = 'promote' | 'rollback';

/** Flagger's webhook paths Flightdeck serves, and the gate each one reads. */
export const GATE_PATHS: Readonly<Record<string, GateKind>> = {
  '/flagger/gate/approve': 'promote',
  '/flagger/gate/check': 'promote',
  '/flagger/rollback/check': 'rollback',
};

/** One canary revision as Flagger names it in its webhooks: `checksum` hashes status.trackedConfigs and lastAppliedSpec. */
export interface CanaryRevision {
  namespace: string;
  canary: string;
  checksum: string;
  /** the Canary's status.lastAppliedSpec when Flagger first presented this checksum; null when it could not be read */
  appliedSpec: string | null;
  firstSeen: number;
}

export interface GateKey {
  namespace: string;
  canary: string;
  checksum: string;
  gate: GateKind;
}

/** A gate of one revision: the people who pressed its button and whether that was enough. */
export interface CanaryGate extends GateKey {
  open: boolean;
  required: number;
  approvals: Array<{ user: string; at: number }>;
  openedAt: number | null;
}

export type GateApprovalOutcome =
  | { kind: 'recorded'; gate: CanaryGate }
  | { kind: 'opened'; gate: CanaryGate }
  | { kind: 'duplicate'; gate: CanaryGate }
  | { kind: 'already-open'; gate: CanaryGate }
  /** the revision is no longer the canary's current one (a later checksum superseded it, or it ended) */
  | { kind: 'superseded' };

/** A Slack thread that follows a canary until its analysis ends. */
export interface CanaryFollower {
  namespace: string;
  canary: string;
  /** kubeconfig context of the canary's cluster; '' for the current one */
  context: string;
  env: string;
  channel: string;
  threadTs: string;
  user: string;
  since: number;
  /** what the thread was last told (a stage key), so a resumed watch does not repeat it */
  lastSaid: string | null;
}

/** The key one watch serves: every follower of the same canary shares it. */
export function followKey(f: Pick<CanaryFollower, 'namespace' | 'canary' | 'context'>): string {
  return `${f.context}/${f.namespace}/${f.canary}`;
}
