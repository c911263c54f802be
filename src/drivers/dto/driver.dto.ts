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
