import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentUser, Roles } from '../common/auth/auth.decorators';
import { ApiResponseDto } from '../common/http/api-response.dto';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { DriverMeDto, UpdateStatusDto, UpdateVehicleDto } from './dto/driver.dto';
import { DriversService } from './drivers.service';

@ApiTags('drivers')
@ApiBearerAuth()
@Roles('driver')
@Controller('drivers/me')
export class DriversController {
  constructor(private readonly drivers: DriversService) {}

  @Patch('update-status')
  @ApiOperation({ summary: 'Go online or offline (drivers only)' })
  @ApiOkResponse({ type: ApiResponseDto })
  @ApiErrors(400, 401, 403, 404)
  async updateStatus(
    @CurrentUser() caller: Caller,
    @Body() dto: UpdateStatusDto,
  ): Promise<ApiResponseDto> {
    await this.drivers.setOnline(caller.id, dto.isOnline);
    return { success: true, message: dto.isOnline ? 'You are now online' : 'You are now offline' };
  }

  @Get()
  @ApiOperation({
    summary: 'My driver profile: vehicle, service type, online flag, and my standing',
    description:
      'standing: over the last 30 days, offers made to me and how they ended, acceptance rate ' +
      '(accepted ÷ offers) and release rate (released ÷ accepted); null rates when nothing to divide.',
  })
  @ApiOkResponse({ type: DriverMeDto })
  @ApiErrors(401, 403, 404)
  me(@CurrentUser() caller: Caller): Promise<DriverMeDto> {
    return this.drivers.findMe(caller.id);
  }

  @Patch()
  @ApiOperation({ summary: 'Change my vehicle or service type' })
  @ApiOkResponse({ type: DriverMeDto })
  @ApiErrors(400, 401, 403, 404, 409)
  updateVehicle(
    @CurrentUser() caller: Caller,
    @Body() dto: UpdateVehicleDto,
  ): Promise<DriverMeDto> {
    return this.drivers.updateVehicle(caller.id, dto);
  }
}
