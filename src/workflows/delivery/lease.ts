// One replica drives each run (and follows each canary): a store lease, renewed while held, and a timer that lets another replica adopt it.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { WorkflowDeps } from '../context.js';

/** Who this process is when it holds leases, how long a lease lasts without renewal, and what it holds now (by name). */
export interface RunLeases {
  owner: string;
  ttlMs: number;
  held: Map<string, LeaseRef>;
}

/** A lease and the timer that comes due when its holder stops renewing it: that timer's handler adopts the work. */
export interface LeaseRef {
  name: string;
  timer: string;
  key: string;
}

/** A run whose holder stopped renewing is adopted by the replica whose scheduler claims this timer (key: the run id). */
export const RUN_LEASE_TIMER = 'run-lease';
export const DEFAULT_RUN_LEASE_MS = 30_000;

export const runLease = (runId: string): LeaseRef => ({ name: `run:${runId}`, timer: RUN_LEASE_TIMER, key: runId });

/** This process's leases: its name ("host/pid/random", distinct per process, readable in the leases table) and length. */
export function runLeases(ttlMs: number = DEFAULT_RUN_LEASE_MS): RunLeases {
  return { owner: `${hostname()}/${process.pid}/${randomBytes(3).toString('hex')}`, ttlMs, held: new Map() };
}

/** Takes (or renews) a lease for this replica; false while another live replica holds it. */
export async function takeLease(deps: WorkflowDeps, ref: LeaseRef): Promise<boolean> {
  const now = deps.clock.now();
  if (!(await deps.store.takeLease(ref.name, deps.leases.owner, now, deps.leases.ttlMs))) {
    deps.leases.held.delete(ref.name);
    return false;
  }
  deps.leases.held.set(ref.name, ref);
  // Should this replica die, the timer comes due when the lease runs out, and another replica adopts the work.
  await deps.store.schedule(ref.timer, ref.key, now + deps.leases.ttlMs);
  return true;
}

/** Lets go of a lease: the work ended (nothing left to adopt), or is handed over at shutdown (adopted at once). */
export async function releaseLease(deps: WorkflowDeps, ref: LeaseRef, how: 'ended' | 'handover'): Promise<void> {
  deps.leases.held.delete(ref.name);
  await deps.store.releaseLease(ref.name, deps.leases.owner);
  if (how === 'ended') await deps.store.cancel(ref.timer, ref.key);
  else await deps.store.schedule(ref.timer, ref.key, deps.clock.now());
}

export const claimRun = (deps: WorkflowDeps, runId: string): Promise<boolean> => takeLease(deps, runLease(runId));
export const releaseRun = (deps: WorkflowDeps, runId: string, how: 'ended' | 'handover'): Promise<void> => releaseLease(deps, runLease(runId), how);

/**
 * At shutdown, after the work had its chance to stop: hands over what is still held (a step stuck in an upstream
 * call, a canary still followed), so another replica, or the next start, carries it on at once rather than after the
 * lease expired.
 */
export async function handOverRuns(deps: WorkflowDeps): Promise<void> {
  for (const ref of [...deps.leases.held.values()]) {
    await releaseLease(deps, ref, 'handover').catch((err: unknown) => deps.log.warn({ err, lease: ref.name }, 'could not hand over a lease; it expires by itself'));
  }
}

/** Renews the lease every third of its length until `stop` aborts or shutdown; calls onLost (and returns) when another replica took it. */
export async function renewWhileHeld(deps: WorkflowDeps, ref: LeaseRef, onLost: () => void, stop: AbortSignal): Promise<void> {
  for (;;) {
    try {
      await deps.clock.sleep(Math.max(1, Math.floor(deps.leases.ttlMs / 3)), AbortSignal.any([stop, deps.shutdown]));
    } catch {
      return;
    }
    const held = await takeLease(deps, ref).catch((err: unknown) => {
      // The store did not answer: carry on while the lease may still hold; the next renewal tries again.
      deps.log.warn({ err, lease: ref.name }, 'could not renew a lease');
      return true;
    });
    if (!held) {
      deps.log.warn({ lease: ref.name, owner: deps.leases.owner }, 'lost a lease to another replica; stopping here');
      onLost();
      return;
    }
  }
}

/**
 * Runs `drive` while holding the run's lease; resolves null without running it when another replica holds it.
 * `drive` gets deps whose `shutdown` also aborts when the lease is lost (this replica stalled and another took over),
 * so it stops rather than act twice.
 */
export async function underRunLease<T>(deps: WorkflowDeps, runId: string, drive: (leased: WorkflowDeps) => Promise<T>, isDone: () => boolean): Promise<T | null> {
  if (!(await claimRun(deps, runId))) {
    deps.log.info({ runId, owner: deps.leases.owner }, 'another replica drives this run');
    return null;
  }
  const lost = new AbortController();
  const stopRenewing = new AbortController();
  const renewing = renewWhileHeld(deps, runLease(runId), () => lost.abort(new Error('run lease lost')), stopRenewing.signal);
  try {
    return await drive({ ...deps, shutdown: AbortSignal.any([deps.shutdown, lost.signal]) });
  } finally {
    stopRenewing.abort();
    await renewing;
    if (!lost.signal.aborted) {
      const how = deps.shutdown.aborted && !isDone() ? 'handover' : 'ended';
      await releaseRun(deps, runId, how).catch((err: unknown) => deps.log.warn({ err, runId }, 'could not release the run lease; it expires by itself'));
    }
  }
}
