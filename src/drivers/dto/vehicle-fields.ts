import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';
import { IsTrimmedText } from '../../common/http/fields';

/** Vehicle make or model: trimmed, 1–64 characters. */
export function IsVehicleText(field: string): PropertyDecorator {
  return IsTrimmedText({
    minLength: 1,
    maxLength: 64,
    lengthMessage: `${field} must be between 1 and 64 characters`,
  });
}

/** Stored trimmed, upper-cased, inner spaces collapsed: "ab  123" and "AB 123" are one plate. */
export function IsLicensePlate(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) =>
      typeof value === 'string' ? value.trim().replace(/\s+/g, ' ').toUpperCase() : value,
    ),
    IsString(),
    Length(2, 16, { message: 'licensePlate must be between 2 and 16 characters' }),
    Matches(/^[A-Z0-9][A-Z0-9 -]*$/, {
      message: 'licensePlate may contain only letters, digits, spaces and "-"',
    }),
  );
}
