import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

const looksLikeStack = (value: unknown): value is string =>
  typeof value === 'string' && /\n\s+at /.test(value);

/**
 * Nest's `Logger` (as every feature uses it) written through the one pino logger, so its lines are
 * JSON in production and carry the request id. Nest passes `(message, ...params, context)`, and
 * for errors `(message, stack?, context)`.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const fields: Record<string, unknown> = {};
    const last = rest.at(-1);
    if (typeof last === 'string' && !looksLikeStack(last)) fields.context = rest.pop();
    if (
      level === 'error' &&
      rest.length > 0 &&
      (rest.at(-1) === undefined || looksLikeStack(rest.at(-1)))
    ) {
      const stack = rest.pop();
      if (stack !== undefined) fields.stack = stack;
    }
    if (rest.length > 0) fields.args = rest;
    if (message instanceof Error) {
      fields.stack ??= message.stack;
      this.pino[level](fields, `${message.name}: ${message.message}`);
    } else if (typeof message === 'string') {
      this.pino[level](fields, message);
    } else {
      // Objects stay objects, so that the logger's redaction applies to them.
      this.pino[level]({ ...fields, data: message });
    }
  }
}
