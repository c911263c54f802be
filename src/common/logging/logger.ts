import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import { LineDestination } from './line-destination';
import { currentRequestId } from './request-context';

export type LogLevel = Level | 'silent';
export type LogFormat = 'json' | 'pretty';

export interface LogConfig {
  level: LogLevel;
  /** `json`: one object per line, for collectors (production). `pretty`: one short line, for people. */
  format: LogFormat;
}

/** Never logged, at whatever depth they appear in a logged object (bodies, headers, errors). */
const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'accessToken',
  'refreshToken',
  'authorization',
  'cookie',
];

export function createLogger(config: LogConfig, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.level,
      // People reading a terminal need neither the pid nor the hostname on every line.
      ...(config.format === 'pretty' ? { base: null } : {}),
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
        censor: '[redacted]',
      },
      mixin: () => {
        const requestId = currentRequestId();
        return requestId === undefined ? {} : { requestId };
      },
    },
    destination ?? defaultDestination(config.format),
  );
}

/**
 * JSON goes out asynchronously: synchronous writes to stdout cost a tenth of the API's CPU under
 * load. Lines are gathered for up to `GATHER_MS` and written together. `flushLogs` before exiting
 * so that the last lines are not lost; a process that exits without it still writes what waits,
 * synchronously, on its way out.
 */
function defaultDestination(format: LogFormat): DestinationStream {
  if (format === 'pretty') return prettyDestination(process.stdout);
  if (!stdoutLines) {
    const lines = new LineDestination(1, { gatherMs: GATHER_MS });
    process.once('exit', () => lines.flushSync());
    stdoutLines = lines;
  }
  return stdoutLines;
}

/**
 * How long JSON lines wait for others to be written with: a collector sees them that much later,
 * and a server under load writes hundreds of lines at a time rather than a few.
 */
const GATHER_MS = 10;

/** One for the process, whatever number of loggers write JSON to stdout: their lines stay in order. */
let stdoutLines: LineDestination | undefined;

/** What one access line says of an answered request. */
export interface AccessEntry {
  requestId: string;
  method: string;
  /** Without the query string, which may carry what should not be logged. */
  path: string;
  status: number;
  durationMs: number;
}

/**
 * Writes what `log.info({ context: 'HTTP', ...entry }, 'GET /path 200 1.2ms')` writes, composed
 * by hand: every field is known, none is secret, and each string goes through JSON.stringify, so
 * pino's general path (the mixin, per-key serialisation, redaction) has nothing to do, and it was
 * a fifth of the CPU of a read served from memory. Undefined when the level leaves info out.
 */
export function accessLog(log: Logger): ((entry: AccessEntry) => void) | undefined {
  if (!log.isLevelEnabled('info')) return undefined;
  const internals = log as unknown as Record<symbol, unknown>;
  const stream = internals[pino.symbols.streamSym] as DestinationStream;
  // The base fields (pid, hostname) and bindings as pino writes them: `,"pid":1,…`, or empty.
  const bindings = internals[pino.symbols.chindingsSym] as string;
  // The time as pino's isoTime writes it, made once per millisecond: a busy server logs several
  // responses in each.
  let millisecond = Number.NaN;
  let time = '';
  return ({ requestId, method, path, status, durationMs }) => {
    const now = Date.now();
    if (now !== millisecond) {
      millisecond = now;
      time = new Date(now).toISOString();
    }
    const msg = `${method} ${path} ${status} ${durationMs}ms`;
    stream.write(
      `{"level":"info","time":"${time}"${bindings},"context":"HTTP",` +
        `"requestId":${JSON.stringify(requestId)},"method":${JSON.stringify(method)},` +
        `"path":${JSON.stringify(path)},"status":${status},"durationMs":${durationMs},` +
        `"msg":${JSON.stringify(msg)}}\n`,
    );
  };
}

/**
 * Resolves once what was logged before is out, or after `withinMs`: an output that takes nothing
 * (a stuck log collector) must not keep a stopping process from exiting. What is left then is
 * written synchronously on exit, as far as the output takes it.
 */
export function flushLogs(logger: Logger, withinMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, withinMs);
    logger.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** `12:03:04.567 WARN  [Context] message key=value requestId=…`, then the stack if any. */
export function prettyDestination(out: { write(text: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      const { time, level, msg, context, stack, ...fields } = JSON.parse(line) as Record<
        string,
        unknown
      >;
      const extras = Object.entries(fields)
        .map(
          ([key, value]) => ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
        )
        .join('');
      const where = typeof context === 'string' ? `[${context}] ` : '';
      const clock = String(time).slice(11, 23);
      const head = `${clock} ${String(level).toUpperCase().padEnd(5)} ${where}${String(msg ?? '')}`;
      out.write(`${head}${extras}\n${typeof stack === 'string' ? `${stack}\n` : ''}`);
    },
  };
}
