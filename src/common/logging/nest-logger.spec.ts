import { Logger } from '@nestjs/common';
import { createLogger, prettyDestination } from './logger';
import { PinoNestLogger } from './nest-logger';
import { runWithRequestId } from './request-context';

function capture(format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line) };
  const pino = createLogger(
    { level: 'debug', format },
    format === 'json' ? sink : prettyDestination(sink),
  );
  return { pino, lines, entries: () => lines.map((line) => JSON.parse(line)) };
}

describe('PinoNestLogger', () => {
  afterEach(() => Logger.overrideLogger(true));

  it("tags a Nest Logger's lines with the id of the request being served", async () => {
    const { pino, entries } = capture();
    Logger.overrideLogger(new PinoNestLogger(pino));
    const logger = new Logger('Rides');

    logger.warn('outside');
    await runWithRequestId('req-7', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.log('inside, after waiting');
    });

    expect(entries()).toEqual([
      expect.objectContaining({ level: 'warn', context: 'Rides', msg: 'outside' }),
      expect.objectContaining({
        level: 'info',
        context: 'Rides',
        msg: 'inside, after waiting',
        requestId: 'req-7',
      }),
    ]);
    expect(entries()[0]).not.toHaveProperty('requestId');
  });

  it('keeps the stack of an error apart from its message', () => {
    const { pino, entries } = capture();
    const error = new TypeError('x is undefined');
    new PinoNestLogger(pino).error('TypeError: x is undefined', error.stack, 'Errors');
    expect(entries()[0]).toMatchObject({
      level: 'error',
      context: 'Errors',
      msg: 'TypeError: x is undefined',
      stack: expect.stringMatching(/^TypeError: x is undefined\n\s+at /),
    });
  });

  it('never writes passwords, tokens or Authorization headers of logged objects', () => {
    const { pino, lines } = capture();
    pino.info({
      password: 'p1',
      body: { password: 'p2', refreshToken: 'r1', accessToken: 'a1' },
      req: { headers: { authorization: 'Bearer abc.def', cookie: 'sid=1' } },
    });
    new PinoNestLogger(pino).log({ refreshToken: 'r2', user: { password: 'p3' } }, 'Auth');
    const text = lines.join('');
    for (const secret of ['p1', 'p2', 'p3', 'r1', 'r2', 'a1', 'Bearer', 'sid=1']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('writes one short line per entry for people', () => {
    const { pino, lines } = capture('pretty');
    runWithRequestId('req-9', () => new PinoNestLogger(pino).warn('Redis unreachable', 'Redis'));
    expect(lines).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} WARN {2}\[Redis\] Redis unreachable requestId=req-9\n$/,
      ),
    ]);
  });
});
