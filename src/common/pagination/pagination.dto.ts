import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { FromQueryInteger } from '../http/fields';

export const MAX_PAGE_SIZE = 100;
const MAX_PAGE = 100_000;

export class PaginationQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE, default: 1 })
  @FromQueryInteger()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE)
  page: number = 1;

  @ApiPropertyOptional({
    minimum: 1,
    default: 20,
    description: `Page size; values above ${MAX_PAGE_SIZE} are capped to ${MAX_PAGE_SIZE}.`,
  })
  @Transform(({ value }: { value: unknown }) => {
    const size = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
    return typeof size === 'number' && size > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : size;
  })
  @IsInt()
  @Min(1)
  limit: number = 20;
}

export class PageMetaDto {
  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 20 })
  limit!: number;

  @ApiProperty({ example: 42 })
  total!: number;

  @ApiProperty({ example: 3 })
  totalPages!: number;
}

export interface Page<T> {
  data: T[];
  meta: PageMetaDto;
}

export function pageOf<T>(data: T[], total: number, query: PaginationQueryDto): Page<T> {
  return {
    data,
    meta: {
      page: query.page,
      limit: query.limit,
      total,
      totalPages: Math.ceil(total / query.limit),
    },
  };
}

export function offsetOf(query: PaginationQueryDto): number {
  return (query.page - 1) * query.limit;
}
