// Timer dispatch: a node-cron tick claims due timers from the store (each once, under a claim lease) and runs their handlers.
import { schedule, validate, type ScheduledTask } from 'node-cron';
import type { Logger } from '../runtime/logger.js';
import type { Clock, Store } from '../ports.js';
import type { Timer } from '../domain/types.js';

export type TimerHandler = (timer: Timer) => Promise<void>;

/** A handler that failed is tried again this much later (the timer is moved, not lost). */
export const RETRY_AFTER_MS = 30_000;

export class Scheduler {
  private task: ScheduledTask | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly handlers: Record<string, TimerHandler>,
    private readonly log: Logger,
  ) {}

  start(expression: string): void {
    if (!validate(expression)) throw new Error(`scheduler.tick: "${expression}" is not a cron expression`);
    this.task = schedule(expression, () => this.tick(), { noOverlap: true, name: 'flightdeck-timers' });
  }

  /** Claims and runs every due timer; safe to call at any time, also concurrently with the cron tick. */
  tick(): Promise<void> {
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    await this.task?.stop();
    this.task = null;
    await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = await this.store.claimDue(this.clock.now(), 20);
      if (due.length === 0) return;
      for (const timer of due) {
        const handler = this.handlers[timer.kind];
        if (!handler) {
          this.log.warn({ timer }, 'no handler for timer kind');
          continue;
        }
        try {
          await handler(timer);
          // Done: deleted, unless the handler scheduled it again. A replica that dies before this line leaves the claim
          // to expire, and another replica claims the timer again (the store's claim lease).
          await this.store.finishTimer(timer);
        } catch (err) {
          this.log.error({ err, timer }, 'timer handler failed; it is tried again later');
          await this.store.schedule(timer.kind, timer.key, this.clock.now() + RETRY_AFTER_MS).catch((again: unknown) => this.log.error({ err: again, timer }, 'could not re-arm a failed timer'));
        }
      }
    }
  }
}
