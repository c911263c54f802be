import { applyDecorators } from '@nestjs/common';
import { IsString, Length, Matches } from 'class-validator';
import { Trim } from '../../common/http/fields';

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/** Trimmed, 3–32 characters of letters, digits, `.`, `_` and `-`. */
export function IsUsername(): PropertyDecorator {
  return applyDecorators(
    Trim(),
    IsString(),
    Length(3, 32, { message: 'username must be between 3 and 32 characters' }),
    Matches(USERNAME_PATTERN, {
      message: 'username may contain only letters, digits, ".", "_" and "-"',
    }),
  );
}

export function IsPassword(): PropertyDecorator {
  return applyDecorators(
    IsString(),
    Length(8, 128, { message: 'password must be between 8 and 128 characters' }),
  );
}
