// One replica drives each run: a store lease per run, renewed while it runs, and a timer that lets another replica adopt it.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { WorkflowDeps } from '../context.js';

/** Who this process is when it holds leases, and how long a lease lasts without renewal. */
export interface RunLeases {
  owner: string;
  ttlMs: number;
  /** the runs this process holds now */
  held: Set<string>;
}

/** A run whose holder stopped renewing is adopted by the replica whose scheduler claims this timer (key: the run id). */
export const RUN_LEASE_TIMER = 'run-lease';
export const DEFAULT_RUN_LEASE_MS = 30_000;

/** This process's leases: its name ("host/pid/random", distinct per process, readable in the leases table) and length. */
export function runLeases(ttlMs: number = DEFAULT_RUN_LEASE_MS): RunLeases {
  return { owner: `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`, ttlMs, held: new Set() };
}

/**
 * At shutdown, after the runs had their chance to stop: hands over what is still held (a step stuck in an upstream
 * call), so another replica, or the next start, carries those runs on at once rather than after the lease expired.
 */
export async function handOverRuns(deps: WorkflowDeps): Promise<void> {
  for (const runId of [...deps.leases.held]) await releaseRun(deps, runId, 'handover').catch((err: unknown) => deps.log.warn({ err, runId }, 'could not hand over a run lease; it expires by itself'));
}

const leaseName = (runId: string): string => `run:${runId}`;

/** Takes (or renews) the run's lease for this replica; false while another live replica drives the run. */
export async function claimRun(deps: WorkflowDeps, runId: string): Promise<boolean> {
  const now = deps.clock.now();
  if (!(await deps.store.takeLease(leaseName(runId), deps.leases.owner, now, deps.leases.ttlMs))) {
    deps.leases.held.delete(runId);
    return false;
  }
  deps.leases.held.add(runId);
  // Should this replica die, the timer comes due when the lease runs out, and another replica adopts the run.
  await deps.store.schedule(RUN_LEASE_TIMER, runId, now + deps.leases.ttlMs);
  return true;
}

/** Lets go of a run: ended (nothing left to adopt), or handed over at shutdown (another replica adopts it at once). */
export async function releaseRun(deps: WorkflowDeps, runId: string, how: 'ended' | 'handover'): Promise<void> {
  deps.leases.held.delete(runId);
  await deps.store.releaseLease(leaseName(runId), deps.leases.owner);
  if (how === 'ended') await deps.store.cancel(RUN_LEASE_TIMER, runId);
  else await deps.store.schedule(RUN_LEASE_TIMER, runId, deps.clock.now());
}

/**
 * Runs `drive` while holding the run's lease, renewing it every third of its length; resolves null without running it
 * when another replica holds the lease. `drive` gets deps whose `shutdown` also aborts when the lease is lost (this
 * replica stalled and another took over), so it stops rather than act twice.
 */
export async function underRunLease<T>(deps: WorkflowDeps, runId: string, drive: (leased: WorkflowDeps) => Promise<T>, isDone: () => boolean): Promise<T | null> {
  if (!(await claimRun(deps, runId))) {
    deps.log.info({ runId, owner: deps.leases.owner }, 'another replica drives this run');
    return null;
  }
  const lost = new AbortController();
  const stopRenewing = new AbortController();
  const renewing = renew(deps, runId, lost, stopRenewing.signal);
  try {
    return await drive({ ...deps, shutdown: AbortSignal.any([deps.shutdown, lost.signal]) });
  } finally {
    stopRenewing.abort();
    await renewing;
    if (!lost.signal.aborted) {
      const how = isDone() || !deps.shutdown.aborted ? 'ended' : 'handover';
      await releaseRun(deps, runId, how).catch((err: unknown) => deps.log.warn({ err, runId }, 'could not release the run lease; it expires by itself'));
    }
  }
}

async function renew(deps: WorkflowDeps, runId: string, lost: AbortController, stop: AbortSignal): Promise<void> {
  for (;;) {
    try {
      await deps.clock.sleep(Math.max(1, Math.floor(deps.leases.ttlMs / 3)), AbortSignal.any([stop, deps.shutdown]));
    } catch {
      return;
    }
    const held = await claimRun(deps, runId).catch((err: unknown) => {
      // The store did not answer: keep driving while the lease may still hold; the next renewal tries again.
      deps.log.warn({ err, runId }, 'could not renew the run lease');
      return true;
    });
    if (!held) {
      deps.log.warn({ runId, owner: deps.leases.owner }, 'lost the run lease to another replica; stopping here');
      lost.abort(new Error('run lease lost'));
      return;
    }
  }
}
