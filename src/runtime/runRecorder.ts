// The one recorder of run events: an audit entry and a log line per event, then each sink words it in order, off the workflow's path.
import type { DeployRequest } from '../domain/types.js';
import type { RunEvent } from '../domain/runEvents.js';
import type { Clock, RunEvents, RunRef, RunSink, Store } from '../ports.js';
import type { Logger } from './logger.js';

export class RunRecorder implements RunEvents {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly sinks: RunSink[],
  ) {}

  async emit(run: RunRef, actor: string, event: RunEvent): Promise<void> {
    const { type, ...detail } = event;
    this.log.info({ runId: run.runId, actor, event: type, ...detail }, type);
    await this.store.audit({ at: this.clock.now(), runId: run.runId, actor, action: type, detail });
    this.enqueue(run.runId, () => Promise.all(this.sinks.map((sink) => this.guard(run, type, () => sink.deliver(run, actor, event)))));
  }

  show(run: RunRef, request: DeployRequest): void {
    this.enqueue(run.runId, () => Promise.all(this.sinks.map((sink) => (sink.show ? this.guard(run, 'show', () => sink.show!(run, request)) : undefined))));
  }

  /** Adds a sink while the app is being put together (before any run). */
  addSink(sink: RunSink): void {
    this.sinks.push(sink);
  }

  settled(runId: string): Promise<void> {
    return this.chains.get(runId) ?? Promise.resolve();
  }

  /** Resolves when every run's sinks are done with what they were given. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private enqueue(runId: string, deliver: () => Promise<unknown>): void {
    const next = (this.chains.get(runId) ?? Promise.resolve()).then(deliver).then(() => undefined);
    this.chains.set(runId, next);
    void next.then(() => {
      if (this.chains.get(runId) === next) this.chains.delete(runId);
    });
  }

  /** A sink that fails (Slack down) is logged; the run, already recorded, goes on. */
  private async guard(run: RunRef, what: string, deliver: () => Promise<void>): Promise<void> {
    try {
      await deliver();
    } catch (err) {
      this.log.warn({ err, runId: run.runId, event: what }, 'a run event could not be delivered');
    }
  }
}
