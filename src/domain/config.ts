// The configuration as the domain sees it: plain types that src/config's schema produces and everything else trusts.

export type SeverityName = 'sev1' | 'sev2' | 'sev3' | 'sev4';

/** A set of people: Slack users and user groups. */
export interface Audience {
  users: string[];
  groups: string[];
}

export interface AppConfig {
  name: string;
  /** the kustomize images[].name this app owns */
  image: string;
  /** owner/name of the repository whose tags (or commits) are the versions */
  source: string;
  versions: 'tags' | 'commits';
  tagPrefix: string;
  workload?: { kind: string; name: string } | undefined;
}

/** Who must approve a kind of request, how many of them, and for how long the request waits (ms). */
export interface ApprovalPolicy {
  required: number;
  approvers: Audience;
  ttl: number;
}

export interface EnvironmentConfig {
  name: string;
  aliases: string[];
  overlay: string;
  namespace?: string | undefined;
  promoteFrom?: string | undefined;
  argocd: { application: string; namespace: string; sync: 'auto' | 'manual'; context?: string | undefined; url?: string | undefined; timeout: number };
  deployers?: Audience | undefined;
  approval: ApprovalPolicy;
  rollback?: ApprovalPolicy | undefined;
  gates: { requiredChecks: string[] };
  canary?: { name: string; namespace?: string | undefined; timeout: number } | undefined;
  cluster?: { context: string } | undefined;
  versionPattern: 'semver' | 'any';
}

export interface FreezeConfig {
  name: string;
  cron: string;
  /** ms */
  duration: number;
  environments: string[];
  timezone: string;
}

export interface SeverityConfig {
  respondWithin: number;
  page: Audience;
  escalate: Audience[];
  freezeProduction: boolean;
}

export interface Config {
  gitops: { repo: string; branch: string; mode: 'commit' | 'pull-request'; deployments: boolean; conflictRetries: number };
  apps: AppConfig[];
  environments: EnvironmentConfig[];
  freezes: FreezeConfig[];
  channels: { deploys?: string | undefined; incidents?: string | undefined };
  incidents: {
    severities?: Partial<Record<SeverityName, SeverityConfig>> | undefined;
    runbooks: Record<string, string>;
    postmortemRepo?: string | undefined;
    pager?: { url: string; routingKeyEnv: string; severities: SeverityName[] } | undefined;
  };
  prometheus?: { url: string } | undefined;
  scheduler: { tick: string };
}
