import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsString, Length, Max, Min } from 'class-validator';
import { IsOmittable } from '../../common/http/optional';

/** Exactly the client's `ServiceType`: money as JSON numbers. */
export class ServiceTypeDto {
  @ApiProperty({ example: 1 })
  id!: number;

  @ApiProperty({ example: 'SwiftRide X' })
  name!: string;

  @ApiProperty({ example: 2.5, description: 'Currency units, two decimals' })
  baseFare!: number;

  @ApiProperty({ example: 1.2 })
  perMileRate!: number;

  @ApiProperty({ example: 0.25 })
  perMinuteRate!: number;

  @ApiProperty({ example: 4 })
  maxPassengers!: number;

  @ApiProperty({ example: true })
  isActive!: boolean;
}

const MONEY = { maxDecimalPlaces: 2 };

export class CreateServiceTypeDto {
  @ApiProperty({ example: 'SwiftRide Green', minLength: 2, maxLength: 64 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(2, 64)
  name!: string;

  @ApiProperty({ example: 3, minimum: 0, maximum: 99999999 })
  @IsNumber(MONEY)
  @Min(0)
  @Max(99_999_999)
  baseFare!: number;

  @ApiProperty({ example: 1.5, minimum: 0 })
  @IsNumber(MONEY)
  @Min(0)
  @Max(99_999_999)
  perMileRate!: number;

  @ApiProperty({ example: 0.3, minimum: 0 })
  @IsNumber(MONEY)
  @Min(0)
  @Max(99_999_999)
  perMinuteRate!: number;

  @ApiProperty({ example: 4, minimum: 1, maximum: 20 })
  @IsInt()
  @Min(1)
  @Max(20)
  maxPassengers!: number;

  @ApiPropertyOptional({ example: true, default: true })
  @IsOmittable()
  @IsBoolean()
  isActive?: boolean;
}

export class UpdateServiceTypeDto {
  @ApiPropertyOptional({ example: 'SwiftRide Green' })
  @IsOmittable()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(2, 64)
  name?: string;

  @ApiPropertyOptional({ example: 3 })
  @IsOmittable()
  @IsNumber(MONEY)
  @Min(0)
  @Max(99_999_999)
  baseFare?: number;

  @ApiPropertyOptional({ example: 1.5 })
  @IsOmittable()
  @IsNumber(MONEY)
  @Min(0)
  @Max(99_999_999)
  perMileRate?: number;

  @ApiPropertyOptional({ example: 0.3 })
  @IsOmittable()
  @IsNumber(MONEY)
  @Min(0)
  @Max(99_999_999)
  perMinuteRate?: number;

  @ApiPropertyOptional({ example: 4 })
  @IsOmittable()
  @IsInt()
  @Min(1)
  @Max(20)
  maxPassengers?: number;

  @ApiPropertyOptional({
    example: false,
    description: 'Inactive types are hidden from riders and new drivers',
  })
  @IsOmittable()
  @IsBoolean()
  isActive?: boolean;
}
