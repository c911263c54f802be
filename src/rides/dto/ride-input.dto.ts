import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsString, Length, Max, Min } from 'class-validator';
import { LEGACY_SERVICE_TYPE_NAMES, type LegacyServiceType } from '../../common/built-ins';
import { IsLatitudeValue, IsLongitudeValue } from '../../common/geo/coordinates';
import { IsOmittable } from '../../common/http/optional';
import { IsPrintableText } from '../../common/http/printable';
import { PaginationQueryDto } from '../../common/pagination/pagination.dto';
import { MAX_RADIUS_KM } from '../../drivers/dto/location.dto';
import { RIDE_STATUSES, type RideStatus } from '../ride-request.model';

const trim = Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));

/** Where from and where to: the body of a quote, and the client's `CreateRideRequest`. */
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

export class CreateRideDto extends TripDto {
  @ApiProperty({ example: '1 Market St, San Francisco', minLength: 1, maxLength: 255 })
  @trim
  @IsString()
  @Length(1, 255)
  @IsPrintableText()
  pickupAddress!: string;

  @ApiProperty({ example: '2 Broadway, Oakland', minLength: 1, maxLength: 255 })
  @trim
  @IsString()
  @Length(1, 255)
  @IsPrintableText()
  destinationAddress!: string;

  @ApiPropertyOptional({
    example: 1,
    description: 'An active service type. Without it (and without `serviceType`): "SwiftRide X".',
  })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  serviceTypeId?: number;

  @ApiPropertyOptional({
    enum: Object.keys(LEGACY_SERVICE_TYPE_NAMES),
    description: "The original server's ride class name; `serviceTypeId` is preferred.",
  })
  @IsOmittable()
  @IsIn(Object.keys(LEGACY_SERVICE_TYPE_NAMES))
  serviceType?: LegacyServiceType;
}

export class RideHistoryQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: RIDE_STATUSES })
  @IsOmittable()
  @IsIn(RIDE_STATUSES)
  status?: RideStatus;
}

export class ListRidesQueryDto extends RideHistoryQueryDto {
  @ApiPropertyOptional({ example: 7, description: 'Only rides of this rider' })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  riderId?: number;

  @ApiPropertyOptional({ example: 12, description: 'Only rides of this driver' })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  driverId?: number;
}

export class OpenRidesQueryDto {
  @ApiPropertyOptional({ example: 5, default: 5, minimum: 0.1, maximum: MAX_RADIUS_KM })
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.1)
  @Max(MAX_RADIUS_KM)
  radiusKm: number = 5;

  @ApiPropertyOptional({ example: 20, default: 20, minimum: 1, maximum: 50 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(50)
  limit: number = 20;
}

export class ReasonDto {
  @ApiPropertyOptional({ example: 'Plans changed', maxLength: 255 })
  @IsOmittable()
  @trim
  @IsString()
  @Length(1, 255)
  @IsPrintableText()
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
  @trim
  @IsString()
  @Length(1, 500)
  @IsPrintableText()
  comment?: string;
}
