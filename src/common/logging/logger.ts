import pino, { type DestinationStream, type Level, type Logger } from 'pino';
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
 * load. `flushLogs` before exiting so that the last lines are not lost.
 */
function defaultDestination(format: LogFormat): DestinationStream {
  if (format === 'pretty') return prettyDestination(process.stdout);
  return pino.destination({ dest: 1, sync: false });
}

export function flushLogs(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
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
