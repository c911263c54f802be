import { PeriodicJob } from './periodic-job';

describe('PeriodicJob', () => {
  it('tells the run under way to stop, and stop() waits for it to end', async () => {
    const steps: number[] = [];
    let startStep!: () => void;
    const started = new Promise<void>((resolve) => (startStep = resolve));
    const job = new PeriodicJob(
      async (stopping) => {
        // Work in steps, as the dispatcher's rounds: each checks the signal before the next.
        for (let step = 1; step <= 1000 && !stopping.aborted; step++) {
          steps.push(step);
          startStep();
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      },
      (error) => {
        throw error;
      },
    );

    const run = job.run();
    await started;
    await job.stop();

    expect(steps.length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThan(1000);
    const stoppedAt = steps.length;
    await run;
    expect(steps).toHaveLength(stoppedAt);
  });

  it('gives a run after stop() a signal already aborted', async () => {
    const seen: boolean[] = [];
    const job = new PeriodicJob(
      async (stopping) => void seen.push(stopping.aborted),
      () => undefined,
    );
    await job.run();
    await job.stop();
    await job.run();
    expect(seen).toEqual([false, true]);
  });
});
