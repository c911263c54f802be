import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { isNativeError } from 'node:util/types';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ConnectionError,
  DatabaseError,
  ForeignKeyConstraintError,
  UniqueConstraintError,
  ValidationError as SequelizeValidationError,
} from 'sequelize';
import { REQUEST_ID_HEADER, runWithRequestId } from '../logging/request-context';
import { isDatabaseUnavailable, isStillReferenced, sqlState } from './database-errors';
import { BusyError, DomainError, DomainErrorCode } from './domain-error';
import { codeForStatus, ErrorCode } from './error-codes';
import { type ApiError, errorBody } from './error-response';

type Mapped = ApiError;

/** Each domain error's status and public code, in one place. */
const DOMAIN_ERRORS: Record<DomainErrorCode, { status: number; code: ErrorCode }> = {
  [DomainErrorCode.NotFound]: { status: HttpStatus.NOT_FOUND, code: ErrorCode.NotFound },
  [DomainErrorCode.Conflict]: { status: HttpStatus.CONFLICT, code: ErrorCode.Conflict },
  [DomainErrorCode.RideAlreadyTaken]: {
    status: HttpStatus.CONFLICT,
    code: ErrorCode.RideAlreadyTaken,
  },
  [DomainErrorCode.RideStateConflict]: {
    status: HttpStatus.CONFLICT,
    code: ErrorCode.RideStateConflict,
  },
  [DomainErrorCode.InvalidInput]: {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.ValidationFailed,
  },
  [DomainErrorCode.Forbidden]: { status: HttpStatus.FORBIDDEN, code: ErrorCode.Forbidden },
  [DomainErrorCode.Unauthorized]: {
    status: HttpStatus.UNAUTHORIZED,
    code: ErrorCode.Unauthorized,
  },
  [DomainErrorCode.TooManyRequests]: {
    status: HttpStatus.TOO_MANY_REQUESTS,
    code: ErrorCode.RateLimited,
  },
  [DomainErrorCode.Busy]: { status: HttpStatus.SERVICE_UNAVAILABLE, code: ErrorCode.Busy },
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

const FASTIFY_ERRORS: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: ErrorCode.PayloadTooLarge,
    message: 'Request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: ErrorCode.UnsupportedMediaType,
    message: 'Unsupported Content-Type: send application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: ErrorCode.MalformedRequest,
    message: 'Request body is empty but Content-Type is application/json',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: ErrorCode.MalformedRequest,
    message: 'Request body is not valid JSON',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: ErrorCode.MalformedRequest,
    message: 'Content-Length does not match the body',
  },
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
    code: ErrorCode.Conflict,
    message: `${field} is already taken`,
    details: [{ field, message: `${field} is already taken` }],
  };
}

const STILL_REFERENCED: Mapped = {
  status: HttpStatus.CONFLICT,
  code: ErrorCode.Conflict,
  message: 'This record is still referenced by other records',
};

function fromForeignKeyViolation(error: ForeignKeyConstraintError): Mapped {
  const detail = pgDetail(error);
  if (/is still referenced/.test(detail)) {
    return STILL_REFERENCED;
  }
  const key = /Key \((.+?)\)=\(/.exec(detail)?.[1];
  const field = key ? columnFromKey(key) : 'reference';
  const message = `${field} does not refer to an existing record`;
  return {
    status: HttpStatus.BAD_REQUEST,
    code: ErrorCode.ValidationFailed,
    message,
    details: [{ field, message }],
  };
}

/** Statuses that only Fastify's body handling raises; Nest hands them over with terse messages. */
const BODY_STATUS_MESSAGES: Record<number, string> = {
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Request body is too large',
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: 'Unsupported Content-Type: send application/json',
};

function fromHttpException(exception: HttpException): Mapped {
  const status = exception.getStatus();
  const code = codeForStatus(status);
  if (BODY_STATUS_MESSAGES[status]) return { status, code, message: BODY_STATUS_MESSAGES[status] };
  const response = exception.getResponse();
  const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
  const message = Array.isArray(raw)
    ? raw.join('; ')
    : typeof raw === 'string'
      ? raw
      : exception.message;
  return { status, code, message };
}

function fromFastifyError(error: { code: string; statusCode: number; message: string }): Mapped {
  const known = FASTIFY_ERRORS[error.code];
  if (known) return { status: error.statusCode, ...known };
  return {
    status: error.statusCode,
    code: codeForStatus(error.statusCode),
    message: error.message,
  };
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

const ABORTED: Mapped = {
  status: HttpStatus.BAD_REQUEST,
  code: ErrorCode.RequestAborted,
  message: 'The connection closed before the whole request body arrived',
};

/**
 * Node's `aborted`: the client went away in the middle of its body. Nobody is left to answer,
 * and anyone could cause it at will, so it must not count (or log) as a server error.
 */
function isAbortedByClient(error: unknown): boolean {
  return isError(error) && error.message === 'aborted' && error.code === 'ECONNRESET';
}

/** Also true of errors made by Node's own modules in another realm (as under Jest). */
function isError(value: unknown): value is NodeJS.ErrnoException {
  return value instanceof Error || isNativeError(value);
}

/**
 * Turns every error into `{ success: false, statusCode, error, code, message, details?, requestId }`.
 * Unknown errors become a generic 500; their stack goes to the log under the request's id, never
 * to the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const error = this.map(exception);
    runWithRequestId(request.id, () => this.log(error, exception));
    if (exception instanceof BusyError) {
      void reply.header('Retry-After', String(exception.retryAfterSeconds));
    }
    void reply
      .status(error.status)
      .header('content-type', 'application/json; charset=utf-8')
      .header(REQUEST_ID_HEADER, request.id)
      .send(errorBody(error, request.id));
  }

  map(exception: unknown): Mapped {
    if (exception instanceof DomainError) {
      return {
        ...DOMAIN_ERRORS[exception.code],
        message: exception.message,
        details: exception.details,
      };
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (exception instanceof UniqueConstraintError) return fromUniqueViolation(exception);
    if (isStillReferenced(exception)) return STILL_REFERENCED;
    if (exception instanceof ForeignKeyConstraintError) return fromForeignKeyViolation(exception);
    if (exception instanceof SequelizeValidationError) {
      const details = exception.errors.map((item) => ({
        field: item.path ?? 'value',
        message: item.message,
      }));
      return {
        status: HttpStatus.BAD_REQUEST,
        code: ErrorCode.ValidationFailed,
        message: 'Validation failed',
        details,
      };
    }
    if (exception instanceof DatabaseError) {
      const code = sqlState(exception);
      if (CLIENT_DATA_SQLSTATES.has(code)) {
        return {
          status: HttpStatus.BAD_REQUEST,
          code: ErrorCode.ValidationFailed,
          message: 'A value in the request is not acceptable',
        };
      }
    }
    if (exception instanceof ConnectionError || isDatabaseUnavailable(exception)) {
      return {
        status: HttpStatus.SERVICE_UNAVAILABLE,
        code: ErrorCode.ServiceUnavailable,
        message: 'The database is unavailable; try again shortly',
      };
    }
    if (isFastifyClientError(exception)) return fromFastifyError(exception);
    if (isAbortedByClient(exception)) return ABORTED;
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      code: ErrorCode.InternalError,
      message: 'Internal server error',
    };
  }

  private log(error: ApiError, exception: unknown): void {
    const description = isError(exception)
      ? `${exception.name}: ${exception.message}`
      : `${typeof exception}: ${String(exception)}`;
    if (error.status === HttpStatus.INTERNAL_SERVER_ERROR) {
      this.logger.error(description, isError(exception) ? exception.stack : undefined);
    } else if (error.status >= 500 && error.code !== ErrorCode.Busy) {
      // Refusals for lack of capacity come in bursts and are counted in the metrics instead.
      this.logger.error(description);
    } else {
      this.logger.debug(`${error.status} ${error.code}: ${error.message}`);
    }
  }
}
