// Work that continues after Slack has been answered: tracked so shutdown can wait for it, and never left unhandled.
import type { Logger } from './logger.js';

export class Background {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly log: Logger) {}

  /** Starts the work now; a failure is logged (the work itself reports to people). */
  run(name: string, work: () => Promise<void>): void {
    const task = Promise.resolve()
      .then(work)
      .catch((err: unknown) => this.log.error({ err, task: name }, 'background work failed'))
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Waits for running work, at most `ms`. */
  async drain(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([Promise.allSettled([...this.running]), limit]);
    clearTimeout(timer);
  }

  /** Resolves once no work is running, including work started by work that was running. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  get size(): number {
    return this.running.size;
  }
}
