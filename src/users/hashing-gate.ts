import { BusyError } from '../common/errors/domain-error';

const BUSY_MESSAGE = 'Too many sign-ins right now; retry shortly';

/** How much a new duration moves the mean: the last few dozen hashes count. */
const MEAN_WEIGHT = 0.1;

/**
 * At most `concurrency` password hashes at once, the next `queueMax` waiting their turn in order,
 * and any beyond that refused at once. Hashing takes whole cores: unbounded, a burst of sign-ins
 * would take every core from the event loop and every other request would wait behind them.
 */
export class HashingGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private meanMs = 0;

  constructor(
    readonly concurrency: number,
    readonly queueMax: number,
    private readonly onRefused: () => void = () => undefined,
  ) {}

  /** Hashes running now. */
  get inFlight(): number {
    return this.running;
  }

  /** Hashes waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Runs `work` once a slot is free; throws BusyError, without running it, when every slot
   * is taken and the queue is full. A slot is handed straight to the longest waiter, so a newcomer
   * never overtakes the queue. When `cancelled` aborts while it waits (its client hung up), it
   * leaves the queue without running.
   */
  async run<T>(work: () => Promise<T>, cancelled?: AbortSignal): Promise<T> {
    await this.admit(cancelled);
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.record(performance.now() - started);
      this.release();
    }
  }

  /** Seconds until a newcomer could expect a slot: the queue drained at the mean hash time. */
  retryAfterSeconds(): number {
    const drainMs = ((this.waiting.length + 1) * this.meanMs) / this.concurrency;
    return Math.max(1, Math.ceil(drainMs / 1000));
  }

  private admit(cancelled?: AbortSignal): Promise<void> {
    if (cancelled?.aborted) return Promise.reject(this.busy());
    if (this.running < this.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.queueMax) {
      this.onRefused();
      return Promise.reject(this.busy());
    }
    return new Promise((resolve, reject) => {
      const leave = () => {
        const at = this.waiting.indexOf(turn);
        if (at >= 0) this.waiting.splice(at, 1);
        // Nobody is left to read the answer; a refusal is what it would have been.
        reject(this.busy());
      };
      const turn = () => {
        cancelled?.removeEventListener('abort', leave);
        resolve();
      };
      cancelled?.addEventListener('abort', leave, { once: true });
      this.waiting.push(turn);
    });
  }

  private busy(): BusyError {
    return new BusyError(BUSY_MESSAGE, this.retryAfterSeconds());
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }

  private record(ms: number): void {
    this.meanMs = this.meanMs === 0 ? ms : this.meanMs + MEAN_WEIGHT * (ms - this.meanMs);
  }
}
