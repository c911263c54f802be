/**
 * Work a process repeats on a timer (sweeps that every instance runs; their statements make that
 * safe). One run at a time: a slow run is not stacked on, and `run()` called meanwhile joins it.
 * Failures are reported to `onError` and the next tick tries again.
 */
export class PeriodicJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Ticks every `intervalMs`; the timer does not keep the process alive. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
  }

  /** Stops ticking and waits for a run under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  run(): Promise<void> {
    this.running ??= this.work()
      .catch(this.onError)
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
