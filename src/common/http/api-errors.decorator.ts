import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ErrorResponseDto } from '../errors/error-response';

/** Documents the error responses a route can give, all in the one error shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: STATUS_CODES[status], type: ErrorResponseDto }),
    ),
  );
}

/**
 * The 503 of a route that hashes a password: too many sign-ins at once, past the hashing queue
 * (HASH_CONCURRENCY, HASH_QUEUE_MAX). Nothing was done; `Retry-After` says when to try again.
 */
export function ApiHashingBusy(): MethodDecorator & ClassDecorator {
  return ApiResponse({
    status: 503,
    description:
      'Too many sign-ins (logins, sign-ups, password changes) at once: nothing was done. ' +
      'Retry after `Retry-After` seconds.',
    type: ErrorResponseDto,
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before retrying, estimated from the queue (at least 1)',
        schema: { type: 'integer', minimum: 1 },
      },
    },
  });
}
