import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';
import { PageMetaDto } from '../../common/pagination/pagination.dto';
import { UserDto } from '../../users/dto/user.dto';

export class RoleDto {
  @ApiProperty({ example: 2 })
  id!: number;

  @ApiProperty({ example: 'driver' })
  name!: string;

  @ApiProperty({ example: 12, description: 'How many users have this role' })
  userCount!: number;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty()
  updatedAt!: Date;
}

export class RolePageDto {
  @ApiProperty({ type: [RoleDto] })
  data!: RoleDto[];

  @ApiProperty({ type: PageMetaDto })
  meta!: PageMetaDto;
}

export class RoleUsersPageDto {
  @ApiProperty({ type: [UserDto] })
  data!: UserDto[];

  @ApiProperty({ type: PageMetaDto })
  meta!: PageMetaDto;
}

export class RoleDetailDto extends RoleDto {
  @ApiProperty({ type: RoleUsersPageDto, description: 'The users of this role, one page' })
  users!: RoleUsersPageDto;
}

/** Role names are stored trimmed and lower-cased; unique regardless of case. */
export class SaveRoleDto {
  @ApiProperty({
    example: 'dispatcher',
    minLength: 2,
    maxLength: 32,
    pattern: '^[a-z][a-z0-9_-]*$',
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @Length(2, 32, { message: 'name must be between 2 and 32 characters' })
  @Matches(/^[a-z][a-z0-9_-]*$/, {
    message: 'name must start with a letter and contain only letters, digits, "_" and "-"',
  })
  name!: string;
}
