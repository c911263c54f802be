/**
 * Work a process repeats on a timer (sweeps that every instance runs; their statements make that
 * safe). One run at a time: a slow run is not stacked on, and `run()` called meanwhile joins it.
 * Failures are reported to `onError` and the next tick tries again. The work is given a signal
 * that aborts when the job stops: work done in steps (the dispatcher's rounds) ends after the
 * step under way, so a process told to stop is not held by a long backlog.
 */
export class PeriodicJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly stopping = new AbortController();

  constructor(
    private readonly work: (stopping: AbortSignal) => Promise<void>,
    private readonly onError: (error: Error) => void,
  ) {}

  /** Ticks every `intervalMs`; the timer does not keep the process alive. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.run(), intervalMs);
    this.timer.unref();
  }

  /** Stops ticking, tells a run under way to stop, and waits for it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort();
    await this.running;
  }

  run(): Promise<void> {
    this.running ??= this.work(this.stopping.signal)
      .catch(this.onError)
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
