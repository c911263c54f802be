import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MinLength, ValidateIf } from 'class-validator';
import { IsOmittable } from '../../common/http/optional';
import { IsPassword, IsUsername } from './user-fields';

/** What people may change about themselves: never their role. */
export class UpdateMeDto {
  @ApiPropertyOptional({ example: 'ann.lee', minLength: 3, maxLength: 32 })
  @IsOmittable()
  @IsUsername()
  username?: string;

  @ApiPropertyOptional({ minLength: 8, maxLength: 128, format: 'password' })
  @IsOmittable()
  @IsPassword()
  password?: string;

  /** Any length, like a login: accounts from the original server may have longer passwords. */
  @ApiPropertyOptional({
    format: 'password',
    minLength: 1,
    description: 'Required to change the password; any length within the request body limit',
  })
  @ValidateIf((body: UpdateMeDto) => body.password !== undefined)
  @IsString({ message: 'currentPassword is required to change the password' })
  @MinLength(1)
  currentPassword?: string;
}
