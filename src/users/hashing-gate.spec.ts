import { BusyError } from '../common/errors/domain-error';
import { HashingGate } from './hashing-gate';

/** Work that finishes when the test says so, and records that it started. */
function task(started: string[], name: string) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = () => resolve(name);
    fail = reject;
  });
  return {
    work: () => {
      started.push(name);
      return done;
    },
    finish,
    fail,
  };
}

/** Lets every promise callback that is ready run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('HashingGate', () => {
  it('runs at most `concurrency` at once and starts the rest in the order they came', async () => {
    const gate = new HashingGate(2, 10);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd', 'e'].map((name) => task(started, name));
    const results = tasks.map((t) => gate.run(t.work));
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect([gate.inFlight, gate.queued]).toEqual([2, 3]);

    tasks[1].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    tasks[0].finish();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    for (const t of tasks.slice(2)) t.finish();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });

  it('refuses at once past the queue, without running the work, and counts the refusal', async () => {
    let refusals = 0;
    const gate = new HashingGate(1, 2, () => (refusals += 1));
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => task(started, name));
    const [a, b, c, d] = tasks.map((t) => gate.run(t.work));

    await expect(d).rejects.toBeInstanceOf(BusyError);
    await expect(d).rejects.toMatchObject({
      message: 'Too many sign-ins right now; retry shortly',
      retryAfterSeconds: expect.any(Number),
    });
    expect(refusals).toBe(1);
    expect(started).toEqual(['a']);
    expect(gate.queued).toBe(2);

    for (const t of tasks.slice(0, 3)) t.finish();
    expect(await Promise.all([a, b, c])).toEqual(['a', 'b', 'c']);
    expect(started).toEqual(['a', 'b', 'c']);
  });

  it('with no queue, refuses whatever finds every slot taken', async () => {
    const gate = new HashingGate(1, 0);
    const started: string[] = [];
    const first = task(started, 'first');
    const running = gate.run(first.work);
    await expect(gate.run(task(started, 'second').work)).rejects.toBeInstanceOf(BusyError);
    first.finish();
    await running;
    await expect(gate.run(async () => 'after')).resolves.toBe('after');
  });

  it('hands a freed slot to the longest waiter, not to a newcomer', async () => {
    const gate = new HashingGate(1, 5);
    const started: string[] = [];
    const first = task(started, 'first');
    const waiter = task(started, 'waiter');
    const newcomer = task(started, 'newcomer');
    const runs = [gate.run(first.work), gate.run(waiter.work)];
    first.finish();
    runs.push(gate.run(newcomer.work));
    await settle();
    expect(started).toEqual(['first', 'waiter']);
    waiter.finish();
    newcomer.finish();
    await Promise.all(runs);
    expect(started).toEqual(['first', 'waiter', 'newcomer']);
  });

  it('frees the slot when the work fails, and passes the failure on', async () => {
    const gate = new HashingGate(1, 5);
    const started: string[] = [];
    const failing = task(started, 'failing');
    const next = task(started, 'next');
    const failed = gate.run(failing.work);
    const after = gate.run(next.work);
    failing.fail(new Error('argon2 went wrong'));
    await expect(failed).rejects.toThrow('argon2 went wrong');
    await settle();
    expect(started).toEqual(['failing', 'next']);
    next.finish();
    await expect(after).resolves.toBe('next');
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
    // A synchronous throw frees the slot too.
    await expect(
      gate.run(() => {
        throw new Error('thrown');
      }),
    ).rejects.toThrow('thrown');
    expect(gate.inFlight).toBe(0);
  });

  it('drops a waiter whose client hung up, without running it, and keeps the others in order', async () => {
    const gate = new HashingGate(1, 5);
    const started: string[] = [];
    const tasks = ['a', 'b', 'c', 'd'].map((name) => task(started, name));
    const hungUp = new AbortController();
    const runs = tasks.map((t, i) => gate.run(t.work, i === 1 ? hungUp.signal : undefined));
    hungUp.abort();
    await expect(runs[1]).rejects.toBeInstanceOf(BusyError);
    expect(gate.queued).toBe(2);
    for (const t of tasks) t.finish();
    expect(await Promise.all([runs[0], runs[2], runs[3]])).toEqual(['a', 'c', 'd']);
    expect(started).toEqual(['a', 'c', 'd']);
    // Gone before it asked: not run either.
    await expect(gate.run(tasks[1].work, hungUp.signal)).rejects.toBeInstanceOf(BusyError);
    expect(started).toEqual(['a', 'c', 'd']);
  });

  describe('Retry-After', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    const hashTaking = (ms: number) => () =>
      new Promise<void>((resolve) => setTimeout(resolve, ms));

    it('is at least one second, even before any hash was timed', () => {
      expect(new HashingGate(1, 0).retryAfterSeconds()).toBe(1);
    });

    it('is the queue, plus the newcomer, drained at the mean hash time by every slot', async () => {
      const gate = new HashingGate(2, 6);
      const timed = gate.run(hashTaking(1_500));
      await jest.advanceTimersByTimeAsync(1_500);
      await timed;

      const busy = Array.from({ length: 8 }, () => gate.run(hashTaking(1_500)));
      await jest.advanceTimersByTimeAsync(0);
      expect(gate.queued).toBe(6);
      // (6 waiting + 1) × 1.5 s ÷ 2 slots = 5.25 s
      await expect(gate.run(hashTaking(1_500))).rejects.toMatchObject({ retryAfterSeconds: 6 });

      await jest.advanceTimersByTimeAsync(4 * 1_500);
      await Promise.all(busy);
    });
  });
});
