import { Body, Controller, Get, Patch, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentUser, Roles } from '../common/auth/auth.decorators';
import { ApiResponseDto } from '../common/http/api-response.dto';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { DriverProfileDto, UpdateStatusDto, UpdateVehicleDto } from './dto/driver.dto';
import {
  DriverLocationDto,
  LocationDto,
  NearbyDriversDto,
  NearbyDriversQueryDto,
} from './dto/location.dto';
import { DriverLocationsService } from './driver-locations.service';
import { DriversService } from './drivers.service';

@ApiTags('drivers')
@ApiBearerAuth()
@Roles('driver')
@Controller('drivers/me')
export class DriversController {
  constructor(
    private readonly drivers: DriversService,
    private readonly locations: DriverLocationsService,
  ) {}

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
  @ApiOperation({ summary: 'My driver profile: vehicle, service type, online flag' })
  @ApiOkResponse({ type: DriverProfileDto })
  @ApiErrors(401, 403, 404)
  me(@CurrentUser() caller: Caller): Promise<DriverProfileDto> {
    return this.drivers.findByUser(caller.id);
  }

  @Patch()
  @ApiOperation({ summary: 'Change my vehicle or service type' })
  @ApiOkResponse({ type: DriverProfileDto })
  @ApiErrors(400, 401, 403, 404, 409)
  updateVehicle(
    @CurrentUser() caller: Caller,
    @Body() dto: UpdateVehicleDto,
  ): Promise<DriverProfileDto> {
    return this.drivers.updateVehicle(caller.id, dto);
  }

  @Put('location')
  @ApiOperation({
    summary: 'Report where I am (online drivers, and drivers on a ride)',
    description:
      'Matching uses positions newer than DRIVER_LOCATION_STALE_SECONDS (default 120). The rider ' +
      'of my current ride receives `driver.location`.',
  })
  @ApiOkResponse({ type: DriverLocationDto })
  @ApiErrors(400, 401, 403, 409)
  reportLocation(
    @CurrentUser() caller: Caller,
    @Body() dto: LocationDto,
  ): Promise<DriverLocationDto> {
    return this.locations.report(caller.id, dto);
  }
}

@ApiTags('drivers')
@ApiBearerAuth()
@Controller('drivers')
export class NearbyDriversController {
  constructor(private readonly locations: DriverLocationsService) {}

  @Get('nearby')
  @ApiOperation({
    summary: "How many drivers are free near a point, and the nearest one's pickup minutes",
    description: 'Online drivers with a fresh location and no ride; no identities are shown.',
  })
  @ApiOkResponse({ type: NearbyDriversDto })
  @ApiErrors(400, 401)
  nearby(@Query() query: NearbyDriversQueryDto): Promise<NearbyDriversDto> {
    return this.locations.countNear(query);
  }
}
