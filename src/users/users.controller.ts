import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../common/auth/auth.decorators';
import { ApiErrors, ApiHashingBusy } from '../common/http/api-errors.decorator';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import {
  CreateUserDto,
  ListUsersQueryDto,
  UpdateUserDto,
  UserDto,
  UserPageDto,
} from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Roles('admin')
@ApiErrors(401, 403)
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'List users, filtered by role name and username, one page at a time' })
  @ApiOkResponse({ type: UserPageDto })
  @ApiErrors(400)
  list(@Query() query: ListUsersQueryDto): Promise<UserPageDto> {
    return this.users.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One user with their role' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 404)
  findOne(@Param('id', ParseIdPipe) id: number): Promise<UserDto> {
    return this.users.findById(id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a user (usernames are unique regardless of letter case)' })
  @ApiCreatedResponse({ type: UserDto })
  @ApiErrors(400, 409)
  @ApiHashingBusy()
  create(@Body() dto: CreateUserDto): Promise<UserDto> {
    return this.users.create(dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a user’s username, password or role' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 404, 409)
  @ApiHashingBusy()
  update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user' })
  @ApiNoContentResponse()
  @ApiErrors(400, 404)
  remove(@Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.users.remove(id);
  }
}
