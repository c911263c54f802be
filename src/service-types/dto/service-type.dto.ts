import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, Max, Min } from 'class-validator';
import { IsMoney } from '../../common/http/money.decorator';
import { IsOmittable } from '../../common/http/optional';
import { IsTrimmedText } from '../../common/http/fields';

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

export class CreateServiceTypeDto {
  @ApiProperty({ example: 'SwiftRide Green', minLength: 2, maxLength: 64 })
  @IsTrimmedText({ minLength: 2, maxLength: 64 })
  name!: string;

  @ApiProperty({ example: 3, minimum: 0, maximum: 99999999 })
  @IsMoney()
  baseFare!: number;

  @ApiProperty({ example: 1.5, minimum: 0 })
  @IsMoney()
  perMileRate!: number;

  @ApiProperty({ example: 0.3, minimum: 0 })
  @IsMoney()
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
  @IsTrimmedText({ minLength: 2, maxLength: 64 })
  name?: string;

  @ApiPropertyOptional({ example: 3 })
  @IsOmittable()
  @IsMoney()
  baseFare?: number;

  @ApiPropertyOptional({ example: 1.5 })
  @IsOmittable()
  @IsMoney()
  perMileRate?: number;

  @ApiPropertyOptional({ example: 0.3 })
  @IsOmittable()
  @IsMoney()
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
