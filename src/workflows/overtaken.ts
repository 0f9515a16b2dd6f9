// Requests a finished deploy overtook: still waiting for the same environment, they close at once with that reason.
import type { Problem } from '../domain/problems.js';
import type { DeployRequest } from '../domain/types.js';
import type { WorkflowDeps } from './context.js';
import { endUndelivered, refreshPendingGauge } from './requests.js';

/**
 * After a deploy or rollback succeeded, requests still waiting for the same environment that expected other versions
 * there are overtaken: they close at once with that reason instead of failing when someone approves them later.
 */
export async function closeOvertaken(deps: WorkflowDeps, done: DeployRequest): Promise<void> {
  const now = new Map(done.changes.map((c) => [c.image, c.to]));
  for (const waiting of await deps.store.listRequests(['pending'])) {
    if (waiting.env !== done.env || waiting.id === done.id) continue;
    if (!waiting.changes.some((c) => now.has(c.image) && now.get(c.image) !== c.from)) continue;
    const problem: Problem = { code: 'overtaken', env: done.env, by: done.id, version: done.version };
    await endUndelivered(deps, waiting, problem);
  }
  await refreshPendingGauge(deps);
}

