/** Decorator stacks that several DTOs share: one definition each, validation and docs together. */
import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsNumber, IsString, Length, Max, Min } from 'class-validator';
import { IsOmittable } from './optional';
import { IsPrintableText } from './printable';

/** The largest id PostgreSQL's INTEGER holds. */
export const MAX_ID = 2_147_483_647;

/** Strings arrive trimmed; anything else is left for the type check to refuse. */
export const Trim = () =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * A query-string integer, written plainly as decimal digits. Anything else ("0x1", "1e0", " 1",
 * "+1") stays a string, so the integer check refuses it rather than reading another number.
 */
export const FromQueryInteger = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value,
  );

/** A query-string number; an empty value stays a string, so it is refused rather than read as 0. */
export const FromQueryNumber = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
  );

interface IdOptions {
  example: number;
  description?: string;
  /** May be left out (an explicit null is still refused). */
  optional?: boolean;
  /** Read from the query string rather than a JSON body. */
  fromQuery?: boolean;
}

/** The id of a row: a positive integer that fits PostgreSQL's INTEGER. */
export function IsId({ example, description, optional, fromQuery }: IdOptions): PropertyDecorator {
  const docs = { example, description, type: 'integer' as const, minimum: 1, maximum: MAX_ID };
  return applyDecorators(
    optional ? ApiPropertyOptional(docs) : ApiProperty(docs),
    ...(optional ? [IsOmittable()] : []),
    ...(fromQuery ? [FromQueryInteger()] : []),
    IsInt(),
    Min(1),
    Max(MAX_ID),
  );
}

interface TextOptions {
  minLength: number;
  maxLength: number;
  /** Replaces class-validator's wording of the length rule. */
  lengthMessage?: string;
}

/**
 * Text a person typed: trimmed, within the length, without control characters. Every free-text
 * field of the API follows this one rule.
 */
export function IsTrimmedText({
  minLength,
  maxLength,
  lengthMessage,
}: TextOptions): PropertyDecorator {
  return applyDecorators(
    Trim(),
    IsString(),
    Length(minLength, maxLength, lengthMessage ? { message: lengthMessage } : undefined),
    IsPrintableText(),
  );
}

/** Radius searches (nearby drivers, open rides) go no wider than this. */
export const MAX_RADIUS_KM = 50;

/** A search radius from the query string, in kilometres. */
export function IsRadiusKm(defaultKm: number): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      example: defaultKm,
      default: defaultKm,
      minimum: 0.1,
      maximum: MAX_RADIUS_KM,
    }),
    FromQueryNumber(),
    IsNumber({ allowNaN: false, allowInfinity: false }),
    Min(0.1),
    Max(MAX_RADIUS_KM),
  );
}
