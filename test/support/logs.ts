import type { Logger } from 'pino';
import { createLogger, type LogLevel } from '../../src/common/logging/logger';

export interface LogEntry {
  level: string;
  msg?: string;
  requestId?: string;
  context?: string;
  stack?: string;
  [key: string]: unknown;
}

export interface CapturedLogs {
  /** Give this to `createTestApp`: JSON lines, as in production, kept in memory. */
  logger: Logger;
  /** Every line written so far, as written. */
  text(): string;
  entries(): LogEntry[];
  /** Resolves with the first entry that matches, failing after `timeoutMs`. */
  waitFor(what: string, match: (entry: LogEntry) => boolean, timeoutMs?: number): Promise<LogEntry>;
}

export function captureLogs(level: LogLevel = 'debug'): CapturedLogs {
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const logger = createLogger(
    { level, format: 'json' },
    {
      write(line: string) {
        lines.push(line);
        for (const wake of waiters) wake();
      },
    },
  );
  const entries = () => lines.map((line) => JSON.parse(line) as LogEntry);
  return {
    logger,
    text: () => lines.join(''),
    entries,
    waitFor(what, match, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = entries().find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no log line for ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
