import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ConnectionError,
  DatabaseError,
  ForeignKeyConstraintError,
  UniqueConstraintError,
  ValidationError as SequelizeValidationError,
} from 'sequelize';
import { isDatabaseUnavailable, isStillReferenced, sqlState } from './database-errors';
import { DomainError, DomainErrorCode, type FieldError } from './domain-error';
import { errorBody } from './error-response';

interface Mapped {
  status: number;
  message: string;
  details?: FieldError[];
}

const DOMAIN_STATUS: Record<DomainErrorCode, number> = {
  [DomainErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.Conflict]: HttpStatus.CONFLICT,
  [DomainErrorCode.InvalidInput]: HttpStatus.BAD_REQUEST,
  [DomainErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  [DomainErrorCode.Unauthorized]: HttpStatus.UNAUTHORIZED,
  [DomainErrorCode.TooManyRequests]: HttpStatus.TOO_MANY_REQUESTS,
};

/** PostgreSQL error classes caused by the values a client sent (bad number, too long, …). */
const CLIENT_DATA_SQLSTATES = new Set([
  '22P02',
  '22003',
  '22001',
  '22007',
  '22008',
  '23502',
  '23514',
]);

const FASTIFY_MESSAGES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'Request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported Content-Type: send application/json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Request body is empty but Content-Type is application/json',
  FST_ERR_CTP_INVALID_JSON_BODY: 'Request body is not valid JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Content-Length does not match the body',
};

/** `Key (lower(username::text))=(ann)` → `username`. */
function columnFromKey(key: string): string {
  const match = /([A-Za-z_][A-Za-z0-9_]*)"?(::[a-z ]+)?\)*$/.exec(key.trim());
  return match?.[1] ?? key;
}

function pgDetail(error: { parent?: unknown }): string {
  const parent = error.parent as { detail?: unknown } | undefined;
  return typeof parent?.detail === 'string' ? parent.detail : '';
}

function fromUniqueViolation(error: UniqueConstraintError): Mapped {
  const key = /Key \((.+)\)=\(/.exec(pgDetail(error))?.[1] ?? Object.keys(error.fields ?? {})[0];
  const field = key ? columnFromKey(key) : 'value';
  return {
    status: HttpStatus.CONFLICT,
    message: `${field} is already taken`,
    details: [{ field, message: `${field} is already taken` }],
  };
}

function fromForeignKeyViolation(error: ForeignKeyConstraintError): Mapped {
  const detail = pgDetail(error);
  if (/is still referenced/.test(detail)) {
    return {
      status: HttpStatus.CONFLICT,
      message: 'This record is still referenced by other records',
    };
  }
  const key = /Key \((.+?)\)=\(/.exec(detail)?.[1];
  const field = key ? columnFromKey(key) : 'reference';
  const message = `${field} does not refer to an existing record`;
  return { status: HttpStatus.BAD_REQUEST, message, details: [{ field, message }] };
}

/** Statuses that only Fastify's body handling raises; Nest hands them over with terse messages. */
const BODY_STATUS_MESSAGES: Record<number, string> = {
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request body is too large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Unsupported Content-Type: send application/json',
};

function fromHttpException(exception: HttpException): Mapped {
  const status = exception.getStatus();
  if (BODY_STATUS_MESSAGES[status]) return { status, message: BODY_STATUS_MESSAGES[status] };
  const response = exception.getResponse();
  const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  const message = Array.isArray(raw)
    ? raw.join('; ')
    : typeof raw === 'string'
      ? raw
      : exception.message;
  return { status, message };
}

function fromFastifyError(error: { code: string; statusCode: number; message: string }): Mapped {
  return { status: error.statusCode, message: FASTIFY_MESSAGES[error.code] ?? error.message };
}

function isFastifyClientError(
  error: unknown,
): error is { code: string; statusCode: number; message: string } {
  const candidate = error as { code?: unknown; statusCode?: unknown };
  return (
    typeof candidate?.code === 'string' &&
    candidate.code.startsWith('FST_') &&
    typeof candidate.statusCode === 'number' &&
    candidate.statusCode >= 400 &&
    candidate.statusCode < 500
  );
}

/**
 * Turns every error into `{ success: false, statusCode, error, message, details? }`. Unknown
 * errors become a generic 500; their details go to the log (name and message only), never to
 * the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const mapped = this.map(exception);
    if (mapped.status >= 500) this.logUnexpected(exception);
    void reply
      .status(mapped.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorBody(mapped.status, mapped.message, mapped.details));
  }

  map(exception: unknown): Mapped {
    if (exception instanceof DomainError) {
      return {
        status: DOMAIN_STATUS[exception.code],
        message: exception.message,
        details: exception.details,
      };
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (exception instanceof UniqueConstraintError) return fromUniqueViolation(exception);
    if (isStillReferenced(exception)) {
      return {
        status: HttpStatus.CONFLICT,
        message: 'This record is still referenced by other records',
      };
    }
    if (exception instanceof ForeignKeyConstraintError) return fromForeignKeyViolation(exception);
    if (exception instanceof SequelizeValidationError) {
      const details = exception.errors.map((item) => ({
        field: item.path ?? 'value',
        message: item.message,
      }));
      return { status: HttpStatus.BAD_REQUEST, message: 'Validation failed', details };
    }
    if (exception instanceof DatabaseError) {
      const code = sqlState(exception);
      if (CLIENT_DATA_SQLSTATES.has(code)) {
        return {
          status: HttpStatus.BAD_REQUEST,
          message: 'A value in the request is not acceptable',
        };
      }
    }
    if (exception instanceof ConnectionError || isDatabaseUnavailable(exception)) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        message: 'The database is unavailable; try again shortly',
      };
    }
    if (isFastifyClientError(exception)) return fromFastifyError(exception);
    return { status: HttpStatus.INTERNAL_SERVER_ERROR, message: 'Internal server error' };
  }

  private logUnexpected(exception: unknown): void {
    const name = exception instanceof Error ? exception.name : typeof exception;
    const message = exception instanceof Error ? exception.message : String(exception);
    this.logger.error(`${name}: ${message}`);
  }
}
