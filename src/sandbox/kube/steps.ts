// The controller simulators' clock: each step of theirs runs stepMs later, and stop() cancels every step not yet run.

export class Steps {
  stepMs = 20;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Runs fn one step from now. */
  later(fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, this.stepMs);
    this.timers.add(timer);
  }

  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
