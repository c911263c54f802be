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

/** Queries of at most this many characters (as JSON) are remembered once valid. */
const MAX_REMEMBERED_QUERY = 512;
/** Valid queries remembered per DTO; the oldest goes first. */
const MAX_REMEMBERED_QUERIES = 256;

/** A query of single values as a key, or undefined when it is not one worth remembering. */
function queryKey(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (!Object.values(value).every((field) => typeof field === 'string')) return undefined;
  const key = JSON.stringify(value);
  return key.length <= MAX_REMEMBERED_QUERY ? key : undefined;
}

class StrictValidationPipe extends ValidationPipe {
  /**
   * Valid queries already seen, per DTO: a query DTO's transforms read nothing but the query, so
   * the same query is the same DTO again, and class-transformer and class-validator took a tenth
   * of the CPU of a list served from memory (`GET /api/roles`) to say so. Refusals are not kept.
   */
  private readonly validQueries = new Map<unknown, Map<string, object>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const key = metadata.type === 'query' ? queryKey(value) : undefined;
    if (key === undefined || !this.toValidate(metadata)) {
      return this.transformStrictly(value, metadata);
    }
    let known = this.validQueries.get(metadata.metatype);
    if (!known) this.validQueries.set(metadata.metatype, (known = new Map()));
    let dto = known.get(key);
    if (!dto) {
      dto = (await this.transformStrictly(value, metadata)) as object;
      if (known.size >= MAX_REMEMBERED_QUERIES) known.delete(known.keys().next().value!);
      known.set(key, dto);
    }
    // Each request its own copy, as if validated anew.
    return Object.assign(Object.create(Object.getPrototypeOf(dto) as object | null) as object, dto);
  }

  /**
   * Refuses built-in key names like any other unknown key, together with whatever else is wrong.
   * They are looked for before the parent's transform, which deletes some of them.
   */
  private async transformStrictly(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
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
