import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { IsOmittable } from '../../common/http/optional';
import { DriverLocationDto, DriverRatingDto } from './location.dto';
import { ServiceTypeDto } from '../../service-types/dto/service-type.dto';
import { IsLicensePlate, IsVehicleText } from './vehicle-fields';
import { IsId } from '../../common/http/fields';

export class DriverProfileDto {
  @ApiProperty({ example: 3 })
  id!: number;

  @ApiProperty({ example: 12 })
  userId!: number;

  @ApiProperty({ example: 'Toyota' })
  make!: string;

  @ApiProperty({ example: 'Prius' })
  model!: string;

  @ApiProperty({ example: 'AB 123' })
  licensePlate!: string;

  @ApiProperty({ example: false })
  isOnline!: boolean;

  @ApiProperty({ example: 1 })
  serviceTypeId!: number;

  @ApiProperty({ type: ServiceTypeDto })
  serviceType!: ServiceTypeDto;

  @ApiProperty({ type: DriverLocationDto, nullable: true, description: 'Latest reported position' })
  location!: DriverLocationDto | null;

  @ApiProperty({ type: DriverRatingDto, description: "Riders' ratings of my rides" })
  rating!: DriverRatingDto;
}

/** Acceptance and release rates over the last `windowDays` days (ranked dispatch offers). */
export class DriverStandingDto {
  @ApiProperty({ example: 30 })
  windowDays!: number;

  @ApiProperty({ example: 20, description: 'Offers made to me (withdrawn ones not counted)' })
  offers!: number;

  @ApiProperty({ example: 15, description: 'Of those, accepted (including later released)' })
  accepted!: number;

  @ApiProperty({ example: 3 })
  declined!: number;

  @ApiProperty({ example: 2, description: 'Left to expire unanswered' })
  expired!: number;

  @ApiProperty({ example: 0.75, nullable: true, type: Number, description: 'accepted ÷ offers' })
  acceptanceRate!: number | null;

  @ApiProperty({ example: 1, description: 'Accepted rides I gave back' })
  releases!: number;

  @ApiProperty({ example: 0.07, nullable: true, type: Number, description: 'releases ÷ accepted' })
  releaseRate!: number | null;
}

/** My driver profile with my standing. */
export class DriverMeDto extends DriverProfileDto {
  @ApiProperty({ type: DriverStandingDto })
  standing!: DriverStandingDto;
}

export class UpdateStatusDto {
  @ApiProperty({ example: true })
  @IsBoolean()
  isOnline!: boolean;
}

export class UpdateVehicleDto {
  @ApiPropertyOptional({ example: 'Toyota' })
  @IsOmittable()
  @IsVehicleText('make')
  make?: string;

  @ApiPropertyOptional({ example: 'Prius' })
  @IsOmittable()
  @IsVehicleText('model')
  model?: string;

  @ApiPropertyOptional({ example: 'AB 123' })
  @IsOmittable()
  @IsLicensePlate()
  licensePlate?: string;

  @IsId({ example: 2, description: 'An active service type', optional: true })
  serviceTypeId?: number;
}
