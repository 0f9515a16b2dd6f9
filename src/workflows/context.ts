// What every workflow is given (ports, config, clock, logger) and the small habits they share: run ids and membership.
import { randomBytes } from 'node:crypto';
import type { Config } from '../domain/config.js';
import type { Logger } from '../runtime/logger.js';
import type { Chat, Clock, Cluster, GitOpsRepo, Metrics, RunEvents, SourceRepos, Store } from '../ports.js';
import type { RunLeases } from './delivery/lease.js';

export interface WorkflowDeps {
  config: Config;
  store: Store;
  gitops: GitOpsRepo;
  sources: SourceRepos;
  cluster: Cluster;
  chat: Chat;
  /** what happened in each run: recorded, then worded by the sinks */
  events: RunEvents;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  members: GroupMembers;
  /** aborted on shutdown: long waits (following a sync) stop and resume after the next start */
  shutdown: AbortSignal;
  /** this replica's name and lease length: one replica at a time drives a run (delivery/lease.ts) */
  leases: RunLeases;
}

/** A new workflow run id such as "fd-k3j9x2ab". */
export function newRunId(): string {
  return `fd-${randomBytes(5).toString('hex')}`;
}

/** Slack user-group membership, cached briefly so a burst of clicks costs one lookup per group. */
export class GroupMembers {
  private cache = new Map<string, { at: number; users: Promise<string[]> }>();

  constructor(
    private readonly lookup: (group: string) => Promise<string[]>,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  /** Members of every group named, as a map group -> users. */
  async of(groups: string[]): Promise<Map<string, string[]>> {
    const entries = await Promise.all(groups.map(async (g) => [g, await this.one(g)] as const));
    return new Map(entries);
  }

  private one(group: string): Promise<string[]> {
    const hit = this.cache.get(group);
    if (hit && this.clock.now() - hit.at < this.ttlMs) return hit.users;
    const users = this.lookup(group).catch((err: unknown) => {
      this.cache.delete(group);
      throw err;
    });
    this.cache.set(group, { at: this.clock.now(), users });
    return users;
  }
}
