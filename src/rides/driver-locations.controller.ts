import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Caller, CurrentUser, Roles } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/http/api-errors.decorator';
import {
  DriverLocationDto,
  LocationDto,
  NearbyDriversDto,
  NearbyDriversQueryDto,
} from '../drivers/dto/location.dto';
import { DriverLocationsService } from './driver-locations.service';

/** Drivers' positions: what matching and riders see of them. */
@ApiTags('drivers')
@ApiBearerAuth()
@Controller('drivers')
export class DriverLocationsController {
  constructor(private readonly locations: DriverLocationsService) {}

  @Put('me/location')
  @Roles('driver')
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
