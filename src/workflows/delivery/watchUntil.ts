// Waits on a watched object (an Argo CD Application, a Flagger Canary) until a condition holds, the deadline passes or
// shutdown begins.
import type { ArgoAppRef, ArgoAppState } from '../../ports.js';
import type { WorkflowDeps } from '../context.js';

/** A Cluster watch of one object: calls onState until it returns true or the signal aborts. */
export type WatchOf<S> = (onState: (state: S) => boolean, signal: AbortSignal) => Promise<void>;

/**
 * True when `done` held (or `settled` resolved) before the deadline, false when the deadline passed; throws on
 * shutdown. `settled` lets a conclusion reached outside the watch (an answer from GitHub) end the wait.
 */
export async function waitForObject<S>(deps: WorkflowDeps, watch: WatchOf<S>, done: (state: S) => boolean, deadline: number, settled?: Promise<void>): Promise<boolean> {
  const stop = new AbortController();
  const onShutdown = () => stop.abort(deps.shutdown.reason);
  deps.shutdown.addEventListener('abort', onShutdown, { once: true });
  let reached = false;
  void settled?.then(() => {
    reached = true;
    stop.abort();
  });
  const timeout = deps.clock.sleep(Math.max(0, deadline - deps.clock.now()), stop.signal).then(
    () => stop.abort(new Error('timeout')),
    () => undefined,
  );
  try {
    await watch((state) => (reached = done(state)), stop.signal);
  } finally {
    stop.abort();
    deps.shutdown.removeEventListener('abort', onShutdown);
    await timeout;
  }
  if (deps.shutdown.aborted) throw deps.shutdown.reason ?? new Error('shutdown');
  return reached;
}

export function waitForApplication(deps: WorkflowDeps, ref: ArgoAppRef, done: (state: ArgoAppState) => boolean, deadline: number, settled?: Promise<void>, onTrouble?: (detail: string) => void): Promise<boolean> {
  return waitForObject(deps, (onState, signal) => deps.cluster.watchApplication(ref, onState, signal, onTrouble), done, deadline, settled);
}
