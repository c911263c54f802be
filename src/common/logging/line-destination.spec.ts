import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineDestination, type LineWrites } from './line-destination';

type Done = (error: NodeJS.ErrnoException | null, written: number) => void;

/** Writes that wait for the test to answer them, and keep what they were asked to write. */
function heldWrites() {
  const asked: Array<{ text: string; done: Done }> = [];
  const synced: string[] = [];
  const writes: LineWrites = {
    writev: (_fd, buffers, done) =>
      asked.push({ text: Buffer.concat(buffers).toString('utf8'), done }),
    writeSync: (_fd, buffer) => {
      synced.push(buffer.toString('utf8'));
      return buffer.length;
    },
  };
  return { writes, asked, synced };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const errno = (code: string) => Object.assign(new Error(code), { code });
const flushed = (destination: LineDestination) =>
  new Promise<void>((resolve) => destination.flush(resolve));

describe('LineDestination', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'lines-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every line to the file, whole and in order, across chunk boundaries', async () => {
    const path = join(dir, 'out.log');
    const fd = openSync(path, 'w');
    const destination = new LineDestination(fd);
    const lines: string[] = [];
    for (let i = 0; i < 5_000; i += 1) {
      // Multi-byte characters, and one line longer than a whole chunk.
      const line = i === 2_500 ? `${'x'.repeat(100_000)}\n` : `{"n":${i},"s":"é😀\u2028"}\n`;
      lines.push(line);
      destination.write(line);
      if (i % 997 === 0) await turn();
    }
    await flushed(destination);
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(lines.join(''));
  });

  it('gathers the lines of one turn of the event loop into one write', async () => {
    const { writes, asked } = heldWrites();
    const destination = new LineDestination(1, { writes });
    destination.write('a\n');
    destination.write('b\n');
    expect(asked).toHaveLength(0);
    await turn();
    expect(asked.map((write) => write.text)).toEqual(['a\nb\n']);
  });

  it('keeps one write at a time, and sends what came meanwhile when it is done', async () => {
    const { writes, asked } = heldWrites();
    const destination = new LineDestination(1, { writes });
    destination.write('first\n');
    await turn();
    destination.write('second\n');
    destination.write('third\n');
    await turn();
    expect(asked).toHaveLength(1);
    asked[0].done(null, 'first\n'.length);
    expect(asked.map((write) => write.text)).toEqual(['first\n', 'second\nthird\n']);
  });

  it('writes the rest of a short write before anything newer', async () => {
    const { writes, asked } = heldWrites();
    const destination = new LineDestination(1, { writes });
    destination.write('0123456789\n');
    await turn();
    destination.write('next\n');
    asked[0].done(null, 4);
    expect(asked[1].text).toBe('456789\n');
    asked[1].done(null, 7);
    expect(asked[2].text).toBe('next\n');
  });

  it('tries again after a while when the output is full (EAGAIN), losing nothing', async () => {
    const { writes, asked } = heldWrites();
    const destination = new LineDestination(1, { writes, retryMs: 5 });
    destination.write('line\n');
    await turn();
    asked[0].done(errno('EAGAIN'), 0);
    expect(asked).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked.map((write) => write.text)).toEqual(['line\n', 'line\n']);
  });

  it('splits a line at no chunk boundary, even by one byte of a multi-byte character', async () => {
    const path = join(dir, 'edge.log');
    const fd = openSync(path, 'w');
    const destination = new LineDestination(fd);
    const filler = `${'a'.repeat(64 * 1024 - 2)}\n`;
    destination.write(filler);
    destination.write('é\n');
    destination.write('😀\n');
    await flushed(destination);
    closeSync(fd);
    expect(readFileSync(path, 'utf8')).toBe(`${filler}é\n😀\n`);
  });

  it('writes the rest of a short write that ends inside a later buffer of the batch', async () => {
    const { writes, asked } = heldWrites();
    const destination = new LineDestination(1, { writes });
    const big = `${'b'.repeat(70 * 1024)}\n`;
    destination.write('small\n');
    destination.write(big);
    destination.write('after\n');
    await turn();
    expect(asked[0].text).toBe(`small\n${big}after\n`);
    asked[0].done(null, 'small\n'.length + 10);
    expect(asked[1].text).toBe(`${big.slice(10)}after\n`);
  });

  it('calls a flush back once the lines before it are out, while newer lines keep coming', async () => {
    const { writes, asked } = heldWrites();
    const destination = new LineDestination(1, { writes });
    destination.write('before\n');
    let done = false;
    destination.flush(() => (done = true));
    await turn();
    expect(done).toBe(false);
    destination.write('after\n');
    asked[0].done(null, 'before\n'.length);
    expect(done).toBe(true);
    expect(asked[1].text).toBe('after\n');
  });

  it('on exit, writes a batch that waits for a retry first, once, then the rest', async () => {
    const { writes, asked, synced } = heldWrites();
    const destination = new LineDestination(1, { writes, retryMs: 5 });
    destination.write('refused\n');
    await turn();
    asked[0].done(errno('EAGAIN'), 0);
    destination.write('later\n');
    destination.flushSync();
    expect(synced).toEqual(['refused\n', 'later\n']);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toHaveLength(1);
  });

  it('drops lines past its limit while the output lags, then says how many', async () => {
    const { writes, asked } = heldWrites();
    const destination = new LineDestination(1, { writes, maxPendingBytes: 9 });
    destination.write('12345678\n');
    destination.write('lost\n');
    destination.write('lost too\n');
    await turn();
    asked[0].done(null, 9);
    const note = JSON.parse(asked[1].text) as Record<string, unknown>;
    expect(note).toMatchObject({ level: 'warn', context: 'Logging', dropped: 2 });
    expect(asked[1].text.endsWith('\n')).toBe(true);
  });

  it('stops writing, without an error to its callers, once the reader is gone (EPIPE)', async () => {
    const { writes, asked } = heldWrites();
    const destination = new LineDestination(1, { writes });
    destination.write('a\n');
    await turn();
    asked[0].done(errno('EPIPE'), 0);
    expect(destination.write('b\n')).toBe(true);
    await turn();
    expect(asked).toHaveLength(1);
    await expect(flushed(destination)).resolves.toBeUndefined();
  });

  describe('gathering lines for gatherMs', () => {
    // Long enough that the turns a test awaits end well within it, even on a busy machine.
    const gatherMs = 200;
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    it('writes the lines of several turns in one write, once that time is up', async () => {
      const { writes, asked } = heldWrites();
      const destination = new LineDestination(1, { writes, gatherMs });
      destination.write('a\n');
      await turn();
      destination.write('b\n');
      await turn();
      expect(asked).toHaveLength(0);
      await sleep(gatherMs + 50);
      expect(asked.map((write) => write.text)).toEqual(['a\nb\n']);
    });

    it('gathers what comes during a write again, before writing it', async () => {
      const { writes, asked } = heldWrites();
      const destination = new LineDestination(1, { writes, gatherMs });
      destination.write('first\n');
      await sleep(gatherMs + 50);
      destination.write('second\n');
      asked[0].done(null, 'first\n'.length);
      await turn();
      expect(asked).toHaveLength(1);
      await sleep(gatherMs + 50);
      expect(asked.map((write) => write.text)).toEqual(['first\n', 'second\n']);
    });

    it('does not wait with a full chunk', async () => {
      const { writes, asked } = heldWrites();
      const destination = new LineDestination(1, { writes, gatherMs: 60_000 });
      const line = `${'c'.repeat(1023)}\n`;
      for (let i = 0; i < 64; i += 1) destination.write(line);
      await turn();
      expect(asked).toHaveLength(0);
      destination.write('over\n');
      await turn();
      expect(asked.map((write) => write.text)).toEqual([`${line.repeat(64)}over\n`]);
    });

    it('does not wait for a flush, nor for what comes after it during its write', async () => {
      const { writes, asked } = heldWrites();
      const destination = new LineDestination(1, { writes, gatherMs: 60_000 });
      destination.write('before\n');
      let done = false;
      destination.flush(() => (done = true));
      await turn();
      expect(asked.map((write) => write.text)).toEqual(['before\n']);
      destination.write('after\n');
      destination.flush();
      asked[0].done(null, 'before\n'.length);
      expect(done).toBe(true);
      expect(asked[1].text).toBe('after\n');
    });

    it('keeps no process alive, and the exit writes what waits', () => {
      const { writes, asked, synced } = heldWrites();
      const timers = () => process.getActiveResourcesInfo().filter((type) => type === 'Timeout');
      const before = timers().length;
      const destination = new LineDestination(1, { writes, gatherMs: 60_000 });
      destination.write('waiting\n');
      expect(timers()).toHaveLength(before);
      destination.flushSync();
      expect(synced).toEqual(['waiting\n']);
      expect(asked).toHaveLength(0);
    });
  });

  it('writes what waits synchronously when the process exits without flushing', () => {
    const { writes, asked, synced } = heldWrites();
    const destination = new LineDestination(1, { writes });
    destination.write('last words\n');
    destination.flushSync();
    expect(synced).toEqual(['last words\n']);
    expect(asked).toHaveLength(0);
  });
});
