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
    // A retried sync puts the deployments a failure closed back in progress: the same deployments, asked once more.
    if (event.type === 'sync-retried') return this.setAll(run, 'in_progress', 'sync retried');
    if (event.type === 'succeeded') return this.setAll(run, 'success', wordEvent(event, plainWords) ?? 'deployed');
    if (event.type === 'failed') return this.setAll(run, 'failure', wordProblem(event.problem, plainWords));
  }

  /** Sets the state of every deployment the run opened (their ids are in its record). */
  private async setAll(run: RunRef, state: 'in_progress' | 'success' | 'failure', description: string): Promise<void> {
    const opened = (await this.store.auditOf(run.runId)).filter((e) => e.action === 'deployment-created');
    await Promise.all(opened.map((entry) => this.sources.setDeploymentStatus(String(entry.detail.repo), Number(entry.detail.deploymentId), state, { description })));
  }
}
