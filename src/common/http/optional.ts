import { ValidateIf } from 'class-validator';

/** Like `@IsOptional()`, but only for an absent field: an explicit `null` is still validated (and refused). */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
