import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { type FieldError, RequestValidationError } from '../errors/domain-error';
import { builtInKeys } from './built-in-keys';

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

class StrictValidationPipe extends ValidationPipe {
  /**
   * Refuses built-in key names like any other unknown key, together with whatever else is wrong.
   * They are looked for before the parent's transform, which deletes some of them.
   */
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const readsObject = metadata.type === 'body' || metadata.type === 'query';
    const refused = readsObject && this.toValidate(metadata) ? builtInKeys(value) : [];
    if (refused.length === 0) return super.transform(value, metadata);
    let others: FieldError[] = [];
    try {
      await super.transform(value, metadata);
    } catch (error) {
      if (!(error instanceof RequestValidationError)) throw error;
      others = error.details ?? [];
    }
    throw new RequestValidationError([...others, ...refused]);
  }

  /**
   * Leaves single path and query values as they came: Nest would turn `:id` into `+value` before
   * the route's own pipe (ParseIdPipe) sees it, so "0x1", "1e0" or " 1" would pass as 1.
   */
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
