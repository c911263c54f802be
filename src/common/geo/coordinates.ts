import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, Max, Min } from 'class-validator';
import { FromQueryNumber } from '../http/fields';

const finite = { allowNaN: false, allowInfinity: false };

/** A latitude in degrees, [-90, 90], as a JSON number (or a query-string number when `fromQuery`). */
export function IsLatitudeValue(example: number, fromQuery = false): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, minimum: -90, maximum: 90 }),
    ...(fromQuery ? [FromQueryNumber()] : []),
    IsNumber(finite),
    Min(-90),
    Max(90),
  );
}

/** A longitude in degrees, [-180, 180]. */
export function IsLongitudeValue(example: number, fromQuery = false): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ example, minimum: -180, maximum: 180 }),
    ...(fromQuery ? [FromQueryNumber()] : []),
    IsNumber(finite),
    Min(-180),
    Max(180),
  );
}
