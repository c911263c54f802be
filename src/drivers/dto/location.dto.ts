import { ApiProperty } from '@nestjs/swagger';
import { IsLatitudeValue, IsLongitudeValue } from '../../common/geo/coordinates';
import { IsId, IsRadiusKm } from '../../common/http/fields';

export class NearbyDriversQueryDto {
  @IsLatitudeValue(37.7749, true)
  latitude!: number;

  @IsLongitudeValue(-122.4194, true)
  longitude!: number;

  @IsId({
    example: 1,
    description: 'Only drivers of this service type',
    optional: true,
    fromQuery: true,
  })
  serviceTypeId?: number;

  @IsRadiusKm(5)
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
