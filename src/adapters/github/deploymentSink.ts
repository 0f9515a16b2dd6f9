// Tells a run's events on its GitHub Deployments: in progress when created, success or failure with plain words when the run ends.
import type { RunEvent } from '../../domain/runEvents.js';
import type { RunRef, RunSink, SourceRepos, Store } from '../../ports.js';
import { wordProblem } from '../../wording/problems.js';
import { wordEvent } from '../../wording/runEvents.js';
import { plainWords } from '../../wording/words.js';

export class DeploymentStatusSink implements RunSink {
  constructor(
    private readonly sources: SourceRepos,
    private readonly store: Store,
    private readonly enabled: boolean,
  ) {}

  async deliver(run: RunRef, _actor: string, event: RunEvent): Promise<void> {
    if (!this.enabled) return;
    if (event.type === 'deployment-created') {
      await this.sources.setDeploymentStatus(event.repo, event.deploymentId, 'in_progress', { description: 'syncing with Argo CD' });
      return;
    }
    if (event.type === 'sync-retried') {
      // The deployments a failure closed are in progress again: the same deployments, asked once more.
      const opened = (await this.store.auditOf(run.runId)).filter((e) => e.action === 'deployment-created');
      await Promise.all(opened.map((entry) => this.sources.setDeploymentStatus(String(entry.detail.repo), Number(entry.detail.deploymentId), 'in_progress', { description: 'sync retried' })));
      return;
    }
    if (event.type !== 'succeeded' && event.type !== 'failed') return;
    const description = event.type === 'failed' ? wordProblem(event.problem, plainWords) : (wordEvent(event, plainWords) ?? 'deployed');
    const opened = (await this.store.auditOf(run.runId)).filter((e) => e.action === 'deployment-created');
    await Promise.all(
      opened.map((entry) =>
        this.sources.setDeploymentStatus(String(entry.detail.repo), Number(entry.detail.deploymentId), event.type === 'succeeded' ? 'success' : 'failure', { description }),
      ),
    );
  }
}
