import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsNumber, Max, Min } from 'class-validator';
import { IsLatitudeValue, IsLongitudeValue } from '../../common/geo/coordinates';
import { IsOmittable } from '../../common/http/optional';

/** Radius searches (nearby drivers, open rides) go no wider than this. */
export const MAX_RADIUS_KM = 50;

export class NearbyDriversQueryDto {
  @IsLatitudeValue(37.7749, true)
  latitude!: number;

  @IsLongitudeValue(-122.4194, true)
  longitude!: number;

  @ApiPropertyOptional({ example: 1, description: 'Only drivers of this service type' })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  serviceTypeId?: number;

  @ApiPropertyOptional({ example: 5, default: 5, minimum: 0.1, maximum: MAX_RADIUS_KM })
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.1)
  @Max(MAX_RADIUS_KM)
  radiusKm: number = 5;
}

export class LocationDto {
  @IsLatitudeValue(37.7749)
  latitude!: number;

  @IsLongitudeValue(-122.4194)
  longitude!: number;
}

export class DriverRatingDto {
  @ApiProperty({
    example: 4.75,
    nullable: true,
    type: Number,
    description: 'Null before any rating',
  })
  average!: number | null;

  @ApiProperty({ example: 12 })
  count!: number;
}

export class DriverLocationDto {
  @ApiProperty({ example: 37.7751 })
  latitude!: number;

  @ApiProperty({ example: -122.4189 })
  longitude!: number;

  @ApiProperty({ example: '2026-11-25T10:00:00.000Z' })
  updatedAt!: Date;
}

export class NearbyDriversDto {
  @ApiProperty({ example: 3, description: 'Online drivers with a fresh location, free for a ride' })
  count!: number;

  @ApiProperty({
    example: 4,
    nullable: true,
    type: Number,
    description: 'Whole minutes for the nearest of them to reach the point; null when none',
  })
  nearestPickupMinutes!: number | null;

  @ApiProperty({ example: 5 })
  radiusKm!: number;
}
