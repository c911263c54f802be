import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageMetaDto } from '../../common/pagination/pagination.dto';
import { DriverLocationDto, DriverRatingDto } from '../../drivers/dto/location.dto';
import { ServiceTypeDto } from '../../service-types/dto/service-type.dto';
import { CANCELLERS, type Canceller, RIDE_STATUSES, type RideStatus } from '../ride-request.model';

export class RideRiderDto {
  @ApiProperty({ example: 7 })
  id!: number;

  @ApiProperty({ example: 'ann' })
  username!: string;
}

export class RideDriverDto {
  @ApiProperty({ example: 12 })
  id!: number;

  @ApiProperty({ example: 'dave' })
  username!: string;

  @ApiProperty({ example: 'Toyota' })
  make!: string;

  @ApiProperty({ example: 'Prius' })
  model!: string;

  @ApiProperty({ example: 'AB 123' })
  licensePlate!: string;

  @ApiProperty({
    type: DriverLocationDto,
    nullable: true,
    description: 'Latest reported position, while the ride is under way',
  })
  location!: DriverLocationDto | null;

  @ApiProperty({ type: DriverRatingDto })
  rating!: DriverRatingDto;
}

/** Where a ride goes and what it was quoted: shown to its parties and to drivers it is offered to. */
export class RideRouteDto {
  @ApiProperty({ example: 41 })
  id!: number;

  @ApiProperty({ example: 1 })
  serviceTypeId!: number;

  @ApiProperty({ example: 37.7749 })
  pickupLatitude!: number;

  @ApiProperty({ example: -122.4194 })
  pickupLongitude!: number;

  @ApiProperty({ example: '1 Market St, San Francisco' })
  pickupAddress!: string;

  @ApiProperty({ example: 37.8044 })
  destinationLatitude!: number;

  @ApiProperty({ example: -122.2712 })
  destinationLongitude!: number;

  @ApiProperty({ example: '2 Broadway, Oakland' })
  destinationAddress!: string;

  @ApiProperty({ example: 10.31, nullable: true, type: Number })
  estimatedDistanceMiles!: number | null;

  @ApiProperty({ example: 30.93, nullable: true, type: Number })
  estimatedDurationMinutes!: number | null;

  @ApiProperty({ example: 22.6, nullable: true, type: Number })
  estimatedFare!: number | null;

  @ApiProperty({ description: 'When the ride (last) entered REQUESTED' })
  requestedAt!: Date;
}

/** A ride as its rider, its driver or an admin sees it. Money and estimates are JSON numbers. */
export class RideDto extends RideRouteDto {
  @ApiProperty({ enum: RIDE_STATUSES, example: 'REQUESTED' })
  status!: RideStatus;

  @ApiProperty({ example: 7 })
  riderId!: number;

  @ApiProperty({ example: null, nullable: true, type: Number })
  driverId!: number | null;

  @ApiProperty({ type: ServiceTypeDto })
  serviceType!: ServiceTypeDto;

  @ApiProperty({
    example: null,
    nullable: true,
    type: Number,
    description: 'Set on completion: the fare quoted at request time',
  })
  finalFare!: number | null;

  @ApiProperty({ nullable: true, type: Date })
  acceptedAt!: Date | null;

  @ApiProperty({ nullable: true, type: Date })
  arrivingAt!: Date | null;

  @ApiProperty({ nullable: true, type: Date })
  startedAt!: Date | null;

  @ApiProperty({ nullable: true, type: Date })
  completedAt!: Date | null;

  @ApiProperty({ nullable: true, type: Date })
  cancelledAt!: Date | null;

  @ApiProperty({ enum: CANCELLERS, nullable: true })
  cancelledBy!: Canceller | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  cancelReason!: string | null;

  @ApiProperty({ nullable: true, type: Date, description: 'When a driver last gave the ride back' })
  releasedAt!: Date | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  releaseReason!: string | null;

  @ApiProperty({ example: null, nullable: true, type: Number, description: "The rider's 1–5" })
  rating!: number | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  ratingComment!: string | null;

  @ApiProperty({ type: RideRiderDto })
  rider!: RideRiderDto;

  @ApiProperty({ type: RideDriverDto, nullable: true, description: 'Once a driver has accepted' })
  driver!: RideDriverDto | null;

  @ApiProperty()
  createdAt!: Date;

  @ApiProperty()
  updatedAt!: Date;
}

export class RideResponseDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ type: RideDto })
  ride!: RideDto;
}

export class ActiveRideDto {
  @ApiProperty({ example: true })
  success!: true;

  @ApiProperty({ type: RideDto, nullable: true, description: 'Null when there is no active ride' })
  ride!: RideDto | null;
}

export class RidePageDto {
  @ApiProperty({ type: [RideDto] })
  data!: RideDto[];

  @ApiProperty({ type: PageMetaDto })
  meta!: PageMetaDto;
}

/** A REQUESTED ride as drivers are offered it: no rider identity. */
export class OpenRideDto extends RideRouteDto {
  @ApiProperty({ example: 1.2, description: 'Great-circle distance from the driver to the pickup' })
  distanceKm!: number;

  @ApiPropertyOptional({
    example: '2026-12-01T17:00:15.000Z',
    description:
      'Ranked dispatch: when the offer of this ride to me lapses (absent in broadcast mode)',
  })
  offerExpiresAt?: string;
}

export class TripQuoteDto {
  @ApiProperty({ type: ServiceTypeDto })
  serviceType!: ServiceTypeDto;

  @ApiProperty({ example: 10.31 })
  distanceMiles!: number;

  @ApiProperty({ example: 30.93 })
  durationMinutes!: number;

  @ApiProperty({ example: 22.6 })
  fare!: number;
}

export class EstimateResponseDto {
  @ApiProperty({ example: 10.31, description: 'Road miles: great-circle miles × the road factor' })
  distanceMiles!: number;

  @ApiProperty({ example: 30.93, description: 'Road miles ÷ the average speed, in minutes' })
  durationMinutes!: number;

  @ApiProperty({
    type: [TripQuoteDto],
    description: 'One quote per active service type; a type the request chose comes first',
  })
  quotes!: TripQuoteDto[];
}
