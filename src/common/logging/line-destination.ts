import { writeSync, writev } from 'node:fs';

/** The two writes the destination makes; tests replace them to play a full pipe or a short write. */
export interface LineWrites {
  writev(
    fd: number,
    buffers: Buffer[],
    done: (error: NodeJS.ErrnoException | null, written: number) => void,
  ): void;
  writeSync(fd: number, buffer: Buffer): number;
}

export interface LineDestinationOptions {
  /**
   * Bytes of lines kept waiting at most while the output is slower than the logging; later lines
   * are dropped, and counted.
   */
  maxPendingBytes?: number;
  /** Wait before writing again after the output said it was full (EAGAIN). */
  retryMs?: number;
  /**
   * How long lines are gathered before they are written, in milliseconds; 0 (the default) writes
   * each turn's lines at the end of the turn. A full chunk, a flush, and the exit do not wait.
   */
  gatherMs?: number;
  writes?: LineWrites;
}

const CHUNK_BYTES = 64 * 1024;
/** A UTF-16 code unit is at most 3 bytes of UTF-8 (a surrogate pair, 2 units, is 4). */
const MAX_BYTES_PER_UNIT = 3;
const fileWrites: LineWrites = { writev, writeSync };

/**
 * Log lines to a file descriptor, copied into a buffer as they come and written in batches, one
 * write at a time, in order. This replaces pino's asynchronous destination (sonic-boom), which
 * keeps the waiting lines as one growing string and measures its byte length again on every line:
 * V8 copied that string each time, and collecting the copies was most of what an access line cost
 * (a fifth to a quarter of the CPU of a read served from memory).
 */
export class LineDestination {
  private current = Buffer.allocUnsafe(CHUNK_BYTES);
  /** Bytes of `current` filled, and the first of them not yet handed to a write. */
  private used = 0;
  private handed = 0;
  /** Filled chunks not yet handed to a write, in order. */
  private queue: Buffer[] = [];
  private queuedBytes = 0;
  private inFlight: Buffer[] | undefined;
  private inFlightBytes = 0;
  /** A drain is due: at the end of the turn, or when `gathering` fires. */
  private scheduled = false;
  private gathering: NodeJS.Timeout | undefined;
  /** Set while a write the output refused (EAGAIN) waits to be tried again. */
  private retry: NodeJS.Timeout | undefined;
  private dropped = 0;
  private failed = false;
  /** Bytes taken in and bytes written since the start: a flush waits for the first as it was. */
  private accepted = 0;
  private delivered = 0;
  private waiting: Array<{ upTo: number; done: () => void }> = [];
  private readonly maxPendingBytes: number;
  private readonly retryMs: number;
  private readonly gatherMs: number;
  private readonly writes: LineWrites;

  constructor(
    private readonly fd: number,
    options: LineDestinationOptions = {},
  ) {
    this.maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024;
    this.retryMs = options.retryMs ?? 10;
    this.gatherMs = options.gatherMs ?? 0;
    this.writes = options.writes ?? fileWrites;
  }

  /** Always true: the caller never has to wait, and a line past the limit is counted, not kept. */
  write(line: string): boolean {
    if (this.failed) return true;
    if (this.pendingBytes() >= this.maxPendingBytes) {
      this.dropped += 1;
      return true;
    }
    this.accepted += this.append(line);
    if (this.queue.length > 0) this.hurry();
    else this.schedule();
    return true;
  }

  /**
   * Calls back once every line written before it has been handed to the output (or the output
   * failed), whatever is written meanwhile.
   */
  flush(done: () => void = () => undefined): void {
    if (this.failed || this.delivered >= this.accepted) {
      process.nextTick(done);
      return;
    }
    this.waiting.push({ upTo: this.accepted, done });
    this.hurry();
  }

  /**
   * Writes what waits, synchronously, for a process that is exiting and has no event loop left:
   * first a write the output refused and that waits to be tried again, then the rest. A write
   * under way in libuv's threads cannot be waited for; what follows it may then reach the output
   * first.
   */
  flushSync(): void {
    if (this.failed) return;
    if (this.retry && this.inFlight) {
      clearTimeout(this.retry);
      this.retry = undefined;
      for (const buffer of this.inFlight) this.writeAllSync(buffer);
      this.inFlight = undefined;
      this.inFlightBytes = 0;
    }
    this.noteDropped();
    for (const buffer of this.takePending()) this.writeAllSync(buffer);
  }

  /** Copies the line in; its length in bytes. */
  private append(line: string): number {
    const room = this.current.length - this.used;
    if (line.length * MAX_BYTES_PER_UNIT > room) {
      const bytes = Buffer.byteLength(line);
      if (bytes > room && this.used > 0) this.seal();
      if (bytes > this.current.length) {
        this.queue.push(Buffer.from(line));
        this.queuedBytes += bytes;
        return bytes;
      }
    }
    const bytes = this.current.write(line, this.used);
    this.used += bytes;
    return bytes;
  }

  /** Queues what `current` holds that no write has taken yet, and starts a new chunk. */
  private seal(): void {
    if (this.used > this.handed) {
      this.queue.push(this.current.subarray(this.handed, this.used));
      this.queuedBytes += this.used - this.handed;
    }
    this.current = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.handed = 0;
  }

  private takePending(): Buffer[] {
    const buffers = this.queue;
    if (this.used > this.handed) buffers.push(this.current.subarray(this.handed, this.used));
    this.handed = this.used;
    this.queue = [];
    this.queuedBytes = 0;
    return buffers;
  }

  private pendingBytes(): number {
    return this.queuedBytes + this.used - this.handed + this.inFlightBytes;
  }

  /**
   * Lines written in one turn of the event loop, or within `gatherMs`, go out in one write. Each
   * write costs a round trip through libuv's threads: a busy server that wrote every turn's few
   * lines spent a tenth of the CPU of a read served from memory on it.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    if (this.gatherMs > 0) {
      // Nothing is lost to a process that exits meanwhile: the exit writes what waits.
      this.gathering = setTimeout(this.drain, this.gatherMs).unref();
    } else {
      setImmediate(this.drain);
    }
  }

  /** A drain that waits for the gathering to end happens at the end of this turn instead. */
  private hurry(): void {
    if (this.gathering) {
      clearTimeout(this.gathering);
      this.gathering = undefined;
      setImmediate(this.drain);
    } else {
      this.schedule();
    }
  }

  private readonly drain = (): void => {
    // Run by the gathering's timer, or with none pending (hurry clears it; none is set in flight).
    this.scheduled = false;
    this.gathering = undefined;
    if (this.inFlight || this.failed) return;
    this.noteDropped();
    const buffers = this.takePending();
    if (buffers.length > 0) this.send(buffers);
  };

  private send(buffers: Buffer[]): void {
    this.inFlight = buffers;
    this.inFlightBytes = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
    this.writes.writev(this.fd, buffers, this.written);
  }

  private readonly written = (error: NodeJS.ErrnoException | null, bytes: number): void => {
    const buffers = this.inFlight!;
    if (error?.code === 'EAGAIN') {
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.send(buffers);
      }, this.retryMs);
      return;
    }
    if (error) return this.fail(error);
    this.delivered += bytes;
    this.settle();
    const rest = remainder(buffers, bytes);
    if (rest.length > 0) return this.send(rest);
    this.inFlight = undefined;
    this.inFlightBytes = 0;
    if (this.pendingBytes() === 0 && this.dropped === 0) return;
    // What came during the write: at once while a full chunk or a flush waits, else gathered.
    if (this.gatherMs === 0 || this.queue.length > 0 || this.waiting.length > 0) this.drain();
    else this.schedule();
  };

  /** Once the output takes lines again, it says how many it missed. */
  private noteDropped(): void {
    if (this.dropped === 0) return;
    const count = this.dropped;
    this.dropped = 0;
    this.accepted += this.append(
      `{"level":"warn","time":"${new Date().toISOString()}","pid":${process.pid},` +
        `"context":"Logging","dropped":${count},` +
        `"msg":"${count} log line(s) dropped: the log output was slower than the logging"}\n`,
    );
  }

  /**
   * A closed or broken output (EPIPE: its reader is gone) takes no more lines, and the process
   * goes on without logging rather than failing requests over it.
   */
  private fail(error: NodeJS.ErrnoException): void {
    this.failed = true;
    this.inFlight = undefined;
    this.inFlightBytes = 0;
    this.queue = [];
    this.queuedBytes = 0;
    this.used = this.handed = 0;
    if (error.code !== 'EPIPE') {
      process.stderr.write(`log output failed (${error.code ?? error.message}); logging stops\n`);
    }
    this.settle();
  }

  /** Calls back the flushes whose lines are all out (all of them once the output failed). */
  private settle(): void {
    if (this.waiting.length === 0) return;
    const due = this.waiting.filter(({ upTo }) => this.failed || upTo <= this.delivered);
    this.waiting = this.waiting.filter((waiter) => !due.includes(waiter));
    for (const { done } of due) done();
  }

  private writeAllSync(buffer: Buffer): void {
    let offset = 0;
    let attempts = 0;
    while (offset < buffer.length) {
      try {
        offset += this.writes.writeSync(this.fd, buffer.subarray(offset));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' || (attempts += 1) > 1000) return;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
  }
}

/** What is left of `buffers` after the first `bytes` of them were written. */
function remainder(buffers: Buffer[], bytes: number): Buffer[] {
  let skip = bytes;
  let index = 0;
  while (index < buffers.length && skip >= buffers[index].length) {
    skip -= buffers[index].length;
    index += 1;
  }
  const rest = buffers.slice(index);
  if (rest.length > 0 && skip > 0) rest[0] = rest[0].subarray(skip);
  return rest;
}
