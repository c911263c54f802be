import { applyDecorators } from '@nestjs/common';
import { Max, Min, ValidateBy } from 'class-validator';
import { MAX_MONEY } from '../money';

/** A JSON number with at most two decimals (cents), 0 to 99,999,999.99: fits DECIMAL(10,2). */
export function IsMoney(): PropertyDecorator {
  return applyDecorators(
    ValidateBy({
      name: 'isMoney',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'number' &&
          Number.isFinite(value) &&
          Math.abs(value * 100 - Math.round(value * 100)) < 1e-6,
        defaultMessage: (args) => `${args?.property} must be a number with at most two decimals`,
      },
    }),
    Min(0),
    Max(MAX_MONEY),
  );
}
