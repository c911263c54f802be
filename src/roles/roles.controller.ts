import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { JSON_CONTENT_TYPE } from '../common/http/json-body';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { PaginationQueryDto } from '../common/pagination/pagination.dto';
import { RoleDetailDto, RoleDto, RolePageDto, SaveRoleDto } from './dto/role.dto';
import { RolesService } from './roles.service';

@ApiTags('roles')
@ApiBearerAuth()
@Roles('admin')
@ApiErrors(401, 403)
@Controller('roles')
export class RolesController {
  constructor(private readonly roles: RolesService) {}

  @Get()
  @ApiOperation({ summary: 'List roles, each with its number of users' })
  @ApiOkResponse({ type: RolePageDto })
  @ApiErrors(400)
  // Sent as serialised once per change (see RolesService.listJson).
  @Header('Content-Type', JSON_CONTENT_TYPE)
  list(@Query() query: PaginationQueryDto): Promise<string> {
    return this.roles.listJson(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One role with a page of its users (`page`, `limit` page the users)' })
  @ApiOkResponse({ type: RoleDetailDto })
  @ApiErrors(400, 404)
  findOne(
    @Param('id', ParseIdPipe) id: number,
    @Query() usersPage: PaginationQueryDto,
  ): Promise<RoleDetailDto> {
    return this.roles.findById(id, usersPage);
  }

  @Post()
  @ApiOperation({ summary: 'Create a role (names are unique regardless of letter case)' })
  @ApiCreatedResponse({ type: RoleDto })
  @ApiErrors(400, 409)
  create(@Body() dto: SaveRoleDto): Promise<RoleDto> {
    return this.roles.create(dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a role (not the built-in rider, driver and admin)' })
  @ApiOkResponse({ type: RoleDto })
  @ApiErrors(400, 404, 409)
  rename(@Param('id', ParseIdPipe) id: number, @Body() dto: SaveRoleDto): Promise<RoleDto> {
    return this.roles.rename(id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a role that no user has (409 while users still have it)' })
  @ApiNoContentResponse()
  @ApiErrors(400, 404, 409)
  remove(@Param('id', ParseIdPipe) id: number): Promise<void> {
    return this.roles.remove(id);
  }
}
