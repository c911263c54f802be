import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { IsOmittable } from '../../common/http/optional';
import { PageMetaDto, PaginationQueryDto } from '../../common/pagination/pagination.dto';
import { IsPassword, IsUsername } from './user-fields';

export class RoleSummaryDto {
  @ApiProperty({ example: 2 })
  id!: number;

  @ApiProperty({ example: 'driver' })
  name!: string;
}

/** A user as the API shows it: never the password hash. */
export class UserDto {
  @ApiProperty({ example: 7 })
  id!: number;

  @ApiProperty({ example: 'ann.lee' })
  username!: string;

  @ApiProperty({ example: 2 })
  roleId!: number;

  @ApiProperty({ type: RoleSummaryDto })
  role!: RoleSummaryDto;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty()
  updatedAt!: Date;
}

export class UserPageDto {
  @ApiProperty({ type: [UserDto] })
  data!: UserDto[];

  @ApiProperty({ type: PageMetaDto })
  meta!: PageMetaDto;
}

export class CreateUserDto {
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

  @ApiProperty({ example: 1, description: 'Role id (1 = rider, 2 = driver, 3 = admin)' })
  @IsInt()
  @Min(1)
  roleId!: number;
}

export class UpdateUserDto {
  @ApiPropertyOptional({
    example: 'ann.lee',
    minLength: 3,
    maxLength: 32,
    pattern: '^[A-Za-z0-9._-]+$',
  })
  @IsOmittable()
  @IsUsername()
  username?: string;

  @ApiPropertyOptional({ minLength: 8, maxLength: 128, format: 'password' })
  @IsOmittable()
  @IsPassword()
  password?: string;

  @ApiPropertyOptional({ example: 2 })
  @IsOmittable()
  @IsInt()
  @Min(1)
  roleId?: number;
}

export class ListUsersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ example: 'driver', description: 'Only users of this role (by name)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  role?: string;

  @ApiPropertyOptional({ example: 'ann', description: 'Case-insensitive part of the username' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  search?: string;
}
