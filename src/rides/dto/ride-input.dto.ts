import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { LEGACY_SERVICE_TYPE_NAMES, type LegacyServiceType } from '../../common/built-ins';
import { IsLatitudeValue, IsLongitudeValue } from '../../common/geo/coordinates';
import { IsOmittable } from '../../common/http/optional';
import { PaginationQueryDto } from '../../common/pagination/pagination.dto';
import { RIDE_STATUSES, type RideStatus } from '../ride-request.model';
import { FromQueryInteger, IsId, IsRadiusKm, IsTrimmedText } from '../../common/http/fields';

/** Where from and where to. */
export class TripDto {
  @IsLatitudeValue(37.7749)
  pickupLatitude!: number;

  @IsLongitudeValue(-122.4194)
  pickupLongitude!: number;

  @IsLatitudeValue(37.8044)
  destinationLatitude!: number;

  @IsLongitudeValue(-122.2712)
  destinationLongitude!: number;
}

/** A trip and the service type chosen for it, by id or by the original server's name. */
export class ChosenTripDto extends TripDto {
  @IsId({
    example: 1,
    description: 'An active service type. Without it (and without `serviceType`): "SwiftRide X".',
    optional: true,
  })
  serviceTypeId?: number;

  @ApiPropertyOptional({
    enum: Object.keys(LEGACY_SERVICE_TYPE_NAMES),
    description: "The original server's ride class name; `serviceTypeId` is preferred.",
  })
  @IsOmittable()
  @IsIn(Object.keys(LEGACY_SERVICE_TYPE_NAMES))
  serviceType?: LegacyServiceType;
}

const IsAddress = () => IsTrimmedText({ minLength: 1, maxLength: 255 });
const PICKUP_ADDRESS = { example: '1 Market St, San Francisco', minLength: 1, maxLength: 255 };
const DESTINATION_ADDRESS = { example: '2 Broadway, Oakland', minLength: 1, maxLength: 255 };

/** The client's `CreateRideRequest`. */
export class CreateRideDto extends ChosenTripDto {
  @ApiProperty(PICKUP_ADDRESS)
  @IsAddress()
  pickupAddress!: string;

  @ApiProperty(DESTINATION_ADDRESS)
  @IsAddress()
  destinationAddress!: string;
}

/**
 * The body of a quote: a bare trip, or the very body of a ride request (its addresses are checked
 * by the same rules, then not used).
 */
export class EstimateDto extends ChosenTripDto {
  @ApiPropertyOptional(PICKUP_ADDRESS)
  @IsOmittable()
  @IsAddress()
  pickupAddress?: string;

  @ApiPropertyOptional(DESTINATION_ADDRESS)
  @IsOmittable()
  @IsAddress()
  destinationAddress?: string;
}

export class RideHistoryQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: RIDE_STATUSES })
  @IsOmittable()
  @IsIn(RIDE_STATUSES)
  status?: RideStatus;
}

export class ListRidesQueryDto extends RideHistoryQueryDto {
  @IsId({ example: 7, description: 'Only rides of this rider', optional: true, fromQuery: true })
  riderId?: number;

  @IsId({ example: 12, description: 'Only rides of this driver', optional: true, fromQuery: true })
  driverId?: number;
}

export class OpenRidesQueryDto {
  @IsRadiusKm(5)
  radiusKm: number = 5;

  @ApiPropertyOptional({ example: 20, default: 20, minimum: 1, maximum: 50 })
  @FromQueryInteger()
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 20;
}

export class ReasonDto {
  @ApiPropertyOptional({ example: 'Plans changed', maxLength: 255 })
  @IsOmittable()
  @IsTrimmedText({ minLength: 1, maxLength: 255 })
  reason?: string;
}

export class RateRideDto {
  @ApiProperty({ example: 5, minimum: 1, maximum: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  rating!: number;

  @ApiPropertyOptional({ example: 'Smooth ride', maxLength: 500 })
  @IsOmittable()
  @IsTrimmedText({ minLength: 1, maxLength: 500 })
  comment?: string;
}
