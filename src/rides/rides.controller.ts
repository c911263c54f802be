import {
  applyDecorators,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { type Caller, CurrentUser, type RoleName, Roles } from '../common/auth/auth.decorators';
import { ApiErrors } from '../common/http/api-errors.decorator';
import { ApiResponseDto } from '../common/http/api-response.dto';
import { ParseIdPipe } from '../common/http/parse-id.pipe';
import { ServiceTypeDto } from '../service-types/dto/service-type.dto';
import { ServiceTypesService } from '../service-types/service-types.service';
import {
  CreateRideDto,
  EstimateDto,
  ListRidesQueryDto,
  OpenRidesQueryDto,
  RateRideDto,
  ReasonDto,
  RideHistoryQueryDto,
} from './dto/ride-input.dto';
import {
  ActiveRideDto,
  EstimateResponseDto,
  OpenRideDto,
  RidePageDto,
  RideResponseDto,
} from './dto/ride.dto';
import { RidesService } from './rides.service';

const FARE_FORMULA =
  'Road miles = great-circle miles × RIDE_ROAD_FACTOR (default 1.3); minutes = road miles ÷ ' +
  'RIDE_AVERAGE_SPEED_MPH (default 20) × 60, both rounded to hundredths; fare = baseFare + ' +
  'perMileRate × miles + perMinuteRate × minutes, rounded half-up to the cent.';

/** A step of a ride: POST /rides/:id/<step>, answered 200 with the ride, in the one error set. */
function RideStep(
  step: string,
  roles: RoleName[],
  operation: Parameters<typeof ApiOperation>[0],
): MethodDecorator {
  return applyDecorators(
    Post(`:id/${step}`),
    HttpCode(200),
    Roles(...roles),
    ApiOperation(operation),
    ApiOkResponse({ type: RideResponseDto }),
    ApiErrors(400, 403, 404, 409),
  );
}

@ApiTags('rides')
@ApiBearerAuth()
@ApiErrors(401)
@Controller('rides')
export class RidesController {
  constructor(
    private readonly rides: RidesService,
    private readonly serviceTypes: ServiceTypesService,
  ) {}

  @Get('available-service-types')
  @ApiOperation({ summary: 'Active service types that have at least one driver online right now' })
  @ApiOkResponse({ type: [ServiceTypeDto] })
  availableServiceTypes(): Promise<ServiceTypeDto[]> {
    return this.serviceTypes.listAvailable();
  }

  @Post('estimate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Quote a trip for every active service type',
    description:
      'Takes the four coordinates, or the whole body of `POST /api/rides`. With `serviceTypeId` ' +
      'or `serviceType` that type is quoted first, then every other active type (each once); ' +
      'a choice that is not an active type gets 400, as a ride request would. Without either, ' +
      `the active types in id order. ${FARE_FORMULA}`,
  })
  @ApiOkResponse({ type: EstimateResponseDto })
  @ApiErrors(400)
  estimate(@Body() dto: EstimateDto): Promise<EstimateResponseDto> {
    return this.rides.estimate(dto);
  }

  @Post()
  @Roles('rider')
  @ApiOperation({
    summary: 'Request a ride (riders)',
    description:
      'Without `serviceTypeId` or `serviceType` the ride is "SwiftRide X". The quote is stored ' +
      `with the ride. ${FARE_FORMULA} A rider with an active ride gets 409.`,
  })
  @ApiCreatedResponse({ type: RideResponseDto })
  @ApiErrors(400, 403, 409)
  async request(
    @CurrentUser() caller: Caller,
    @Body() dto: CreateRideDto,
  ): Promise<RideResponseDto> {
    return { success: true, ride: await this.rides.request(caller.id, dto) };
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'All rides, newest first, by rider, driver and status (admins)' })
  @ApiOkResponse({ type: RidePageDto })
  @ApiErrors(400, 403)
  list(@Query() query: ListRidesQueryDto): Promise<RidePageDto> {
    const { riderId, driverId, status } = query;
    return this.rides.list({ riderId, driverId, status }, query);
  }

  @Get('me')
  @ApiOperation({
    summary: 'My rides, newest first: those I booked, and for drivers those I drove',
  })
  @ApiOkResponse({ type: RidePageDto })
  @ApiErrors(400)
  history(
    @CurrentUser() caller: Caller,
    @Query() query: RideHistoryQueryDto,
  ): Promise<RidePageDto> {
    return this.rides.history(caller, query);
  }

  @Get('me/active')
  @ApiOperation({
    summary: 'My ride in progress (rider: not yet finished; driver: assigned), or null',
  })
  @ApiOkResponse({ type: ActiveRideDto })
  async active(@CurrentUser() caller: Caller): Promise<ActiveRideDto> {
    return { success: true, ride: await this.rides.findActive(caller) };
  }

  @Get('open')
  @Roles('driver')
  @ApiOperation({
    summary: 'Rides I can take now (drivers)',
    description:
      'Ranked dispatch (DISPATCH_MODE=ranked, the default): the rides offered to me now, each ' +
      'with `offerExpiresAt`; the query parameters do not apply. Broadcast: REQUESTED rides of ' +
      'my service type near my latest location, nearest first.',
  })
  @ApiOkResponse({ type: [OpenRideDto] })
  @ApiErrors(400, 403, 404, 409)
  open(@CurrentUser() caller: Caller, @Query() query: OpenRidesQueryDto): Promise<OpenRideDto[]> {
    return this.rides.findOpen(caller.id, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One ride: to its rider, its driver or an admin (404 to anyone else)' })
  @ApiOkResponse({ type: RideResponseDto })
  @ApiErrors(400, 404)
  async findOne(
    @CurrentUser() caller: Caller,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<RideResponseDto> {
    return { success: true, ride: await this.rides.findOne(id, caller) };
  }

  @RideStep('accept', ['driver'], {
    summary: 'Take a REQUESTED ride (online drivers of its service type with no active ride)',
    description:
      'Of simultaneous accepts exactly one succeeds; the others get 409. In ranked dispatch only ' +
      'a driver holding a live offer of the ride may accept it (others: 409 "not offered to you").',
  })
  async accept(
    @CurrentUser() caller: Caller,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<RideResponseDto> {
    return { success: true, ride: await this.rides.accept(id, caller) };
  }

  @Post(':id/decline')
  @HttpCode(200)
  @Roles('driver')
  @ApiOperation({
    summary: 'Turn down the ride offered to me (ranked dispatch)',
    description:
      'Ends my live offer of the ride at once; the ride goes to the next drivers. 404 if the ride ' +
      'does not exist or was never offered to me, 409 if my offer is no longer live.',
  })
  @ApiOkResponse({ type: ApiResponseDto })
  @ApiErrors(400, 403, 404, 409)
  async decline(
    @CurrentUser() caller: Caller,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<ApiResponseDto> {
    return { success: true, message: await this.rides.decline(id, caller.id) };
  }

  @RideStep('arriving', ['driver'], { summary: "ACCEPTED → ARRIVING (the ride's driver)" })
  async arriving(
    @CurrentUser() caller: Caller,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<RideResponseDto> {
    return { success: true, ride: await this.rides.advance(id, 'arriving', caller) };
  }

  @RideStep('start', ['driver'], { summary: "ARRIVING → IN_PROGRESS (the ride's driver)" })
  async start(
    @CurrentUser() caller: Caller,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<RideResponseDto> {
    return { success: true, ride: await this.rides.advance(id, 'start', caller) };
  }

  @RideStep('complete', ['driver'], {
    summary: "IN_PROGRESS → COMPLETED (the ride's driver); sets finalFare to the quoted fare",
  })
  async complete(
    @CurrentUser() caller: Caller,
    @Param('id', ParseIdPipe) id: number,
  ): Promise<RideResponseDto> {
    return { success: true, ride: await this.rides.advance(id, 'complete', caller) };
  }

  @RideStep('cancel', ['rider', 'admin'], {
    summary: "Cancel before the trip starts (the ride's rider, or an admin)",
  })
  async cancel(
    @CurrentUser() caller: Caller,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: ReasonDto,
  ): Promise<RideResponseDto> {
    return { success: true, ride: await this.rides.advance(id, 'cancel', caller, dto.reason) };
  }

  @RideStep('release', ['driver'], {
    summary: "Give an accepted ride back before the trip starts (the ride's driver)",
    description: 'The ride returns to REQUESTED with no driver and is offered to drivers again.',
  })
  async release(
    @CurrentUser() caller: Caller,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: ReasonDto,
  ): Promise<RideResponseDto> {
    return { success: true, ride: await this.rides.advance(id, 'release', caller, dto.reason) };
  }

  @RideStep('rate', ['rider'], { summary: 'Rate the driver of my COMPLETED ride, once (1–5)' })
  async rate(
    @CurrentUser() caller: Caller,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: RateRideDto,
  ): Promise<RideResponseDto> {
    return {
      success: true,
      ride: await this.rides.rate(id, caller.id, dto.rating, dto.comment),
    };
  }
}
