import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentUser } from '../common/auth/auth.decorators';
import { ApiErrors, ApiHashingBusy } from '../common/http/api-errors.decorator';
import { UpdateMeDto } from './dto/me.dto';
import { UserDto } from './dto/user.dto';
import { UsersService } from './users.service';

/** Any signed-in user, about themselves. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('users/me')
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'My account' })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(401)
  me(@CurrentUser() caller: Caller): Promise<UserDto> {
    return this.users.findById(caller.id);
  }

  @Patch()
  @ApiOperation({
    summary:
      'Change my username or password (with currentPassword); a new password ends every login',
  })
  @ApiOkResponse({ type: UserDto })
  @ApiErrors(400, 401, 409)
  @ApiHashingBusy()
  update(@CurrentUser() caller: Caller, @Body() dto: UpdateMeDto): Promise<UserDto> {
    return this.users.updateSelf(caller.id, dto);
  }
}
