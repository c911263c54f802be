import { accessLog, type AccessEntry, createLogger, prettyDestination } from './logger';

function capture(level: 'info' | 'warn' = 'info', format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const sink = { write: (line: string) => void lines.push(line) };
  const log = createLogger({ level, format }, format === 'json' ? sink : prettyDestination(sink));
  return { log, lines };
}

const entry: AccessEntry = {
  requestId: 'lb-01:7f3a',
  method: 'GET',
  path: '/api/rides/"quoted"\\back\nline\u2028é😀\ud800',
  status: 404,
  durationMs: 1.5,
};

describe('accessLog', () => {
  it('writes the line pino writes for the same fields, key for key, as one line', () => {
    const { log, lines } = capture();
    accessLog(log)!(entry);
    log.info(
      { context: 'HTTP', ...entry },
      `${entry.method} ${entry.path} ${entry.status} ${entry.durationMs}ms`,
    );

    expect(lines).toHaveLength(2);
    const [hand, general] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(hand)).toEqual(Object.keys(general));
    expect({ ...hand, time: undefined }).toEqual({ ...general, time: undefined });
    expect(hand).toMatchObject({ level: 'info', pid: process.pid, context: 'HTTP', status: 404 });
    expect(Date.parse(hand.time as string)).not.toBeNaN();
    for (const line of lines) expect(line.indexOf('\n')).toBe(line.length - 1);
  });

  it('writes nothing when the level leaves info out', () => {
    const { log } = capture('warn');
    expect(accessLog(log)).toBeUndefined();
  });

  it('reads as the other lines do in the pretty format', () => {
    const { log, lines } = capture('info', 'pretty');
    accessLog(log)!({ ...entry, path: '/api/health', status: 200 });
    expect(lines).toEqual([
      expect.stringMatching(
        /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[HTTP\] GET \/api\/health 200 1\.5ms requestId=lb-01:7f3a method=GET path=\/api\/health status=200 durationMs=1\.5\n$/,
      ),
    ]);
  });
});
