import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNumber, Max, Min } from 'class-validator';

const finite = { allowNaN: false, allowInfinity: false };

/** A query-string number; an empty value stays a string, so it is refused rather than read as 0. */
const fromQueryString = Transform(({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
);

/** A latitude in degrees, [-90, 90], as a JSON number (or a query-string number when `fromQuery`). */
export function IsLatitudeValue(example: number, fromQuery = false): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, minimum: -90, maximum: 90 }),
    ...(fromQuery ? [fromQueryString] : []),
    IsNumber(finite),
    Min(-90),
    Max(90),
  );
}

/** A longitude in degrees, [-180, 180]. */
export function IsLongitudeValue(example: number, fromQuery = false): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, minimum: -180, maximum: 180 }),
    ...(fromQuery ? [fromQueryString] : []),
    IsNumber(finite),
    Min(-180),
    Max(180),
  );
}
