import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldError, RequestValidationError } from '../errors/domain-error';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    const missing = error.value === undefined && !error.constraints?.whitelistValidation;
    const own = (missing && messages.length > 0 ? [`${field} is required`] : messages).map(
      (message) => ({ field, message }),
    );
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Leaves single path and query values as they came: Nest would turn `:id` into `+value` before the
 * route's own pipe (ParseIdPipe) sees it, so "0x1", "1e0" or " 1" would pass as 1.
 */
class StrictValidationPipe extends ValidationPipe {
  protected override transformPrimitive(value: unknown): unknown {
    return value;
  }
}

/** Whitelisted DTOs only: unknown fields are rejected, values transformed to their DTO types. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new RequestValidationError(flatten(errors)),
  });
}
