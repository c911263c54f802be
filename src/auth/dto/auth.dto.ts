import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  Length,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { IsLicensePlate, IsVehicleText } from '../../drivers/dto/vehicle-fields';
import { DriverProfileDto } from '../../drivers/dto/driver.dto';
import { IsOmittable } from '../../common/http/optional';
import { UserDto } from '../../users/dto/user.dto';
import { IsPassword, IsUsername } from '../../users/dto/user-fields';
import { DRIVER_ROLE_ID, RIDER_ROLE_ID } from '../../common/built-ins';
import { Trim } from '../../common/http/fields';

const isDriver = (body: { roleId?: unknown }) => body.roleId === DRIVER_ROLE_ID;

/** The client's `RegisterRequest`. Vehicle fields are read for drivers only. */
export class RegisterDto {
  @ApiProperty({ example: 'ann.lee', minLength: 3, maxLength: 32, pattern: '^[A-Za-z0-9._-]+$' })
  @IsUsername()
  username!: string;

  @ApiProperty({
    example: 'correct horse battery',
    minLength: 8,
    maxLength: 128,
    format: 'password',
  })
  @IsPassword()
  password!: string;

  @ApiProperty({ enum: [RIDER_ROLE_ID, DRIVER_ROLE_ID], description: '1 = rider, 2 = driver' })
  @IsIn([RIDER_ROLE_ID, DRIVER_ROLE_ID], { message: 'roleId must be 1 (rider) or 2 (driver)' })
  roleId!: number;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Toyota',
    minLength: 1,
    maxLength: 64,
    description: 'Drivers: required',
  })
  @ValidateIf(isDriver)
  @IsVehicleText('make')
  make?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'Prius',
    minLength: 1,
    maxLength: 64,
    description: 'Drivers: required',
  })
  @ValidateIf(isDriver)
  @IsVehicleText('model')
  model?: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'AB 123',
    minLength: 2,
    maxLength: 16,
    description: 'Drivers: required, unique; stored trimmed and upper-cased',
  })
  @ValidateIf(isDriver)
  @IsLicensePlate()
  licensePlate?: string | null;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    minimum: 1,
    example: 1,
    description: 'Drivers: an active service type; default 1 (SwiftRide X)',
  })
  @ValidateIf((body: RegisterDto, value) => isDriver(body) && value !== undefined && value !== null)
  @IsInt()
  @Min(1)
  serviceTypeId?: number | null;
}

export class LoginDto {
  @ApiProperty({ example: 'ann.lee' })
  @Trim()
  @IsString()
  @Length(1, 255)
  username!: string;

  /**
   * No upper bound but the body limit: the original server took passwords of any length, and its
   * accounts must still log in (registration keeps its own 8–128 rule).
   */
  @ApiProperty({
    example: 'correct horse battery',
    format: 'password',
    minLength: 1,
    description: 'Any length within the request body limit',
  })
  @IsString()
  @MinLength(1)
  password!: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token from login (or from the last rotation)' })
  @IsString()
  @Length(1, 512)
  refreshToken!: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'Also replace the refresh token: the response carries a new one and the presented one is ' +
      'revoked; presenting a revoked token again then ends the whole login. Without it the same ' +
      'refresh token stays valid until it expires or the user logs out (what the iOS client expects).',
  })
  @IsOmittable()
  @IsBoolean()
  rotate?: boolean;
}

export class LogoutDto {
  @ApiProperty()
  @IsString()
  @Length(1, 512)
  refreshToken!: string;
}

/** The client's `LoginResponse`. */
export class LoginResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ example: 'Login successful' })
  message!: string;

  @ApiProperty({
    description: 'JWT (HS256), valid 15 minutes; payload { sub, userId, roleId, iat, exp }',
  })
  accessToken!: string;

  @ApiProperty({ description: 'Opaque, valid 7 days; send it to /api/auth/refresh' })
  refreshToken!: string;

  @ApiProperty({ example: 12 })
  userId!: number;

  @ApiProperty({ example: 2 })
  roleId!: number;

  @ApiProperty({ type: Boolean, nullable: true, description: 'Drivers: online flag; others: null' })
  isOnline!: boolean | null;
}

export class RefreshResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty()
  accessToken!: string;

  @ApiPropertyOptional({ description: 'Only when rotate was asked: the refresh token to use next' })
  refreshToken?: string;
}

export class MeDto extends UserDto {
  @ApiProperty({ type: DriverProfileDto, nullable: true, description: 'Drivers only' })
  profile!: DriverProfileDto | null;
}
