import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length, ValidateIf } from 'class-validator';
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

  @ApiPropertyOptional({ format: 'password', description: 'Required to change the password' })
  @ValidateIf((body: UpdateMeDto) => body.password !== undefined)
  @IsString({ message: 'currentPassword is required to change the password' })
  @Length(1, 128)
  currentPassword?: string;
}
