import { STATUS_CODES } from 'node:http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FieldError } from './domain-error';

export class FieldErrorDto implements FieldError {
  @ApiProperty({ example: 'username' })
  field!: string;

  @ApiProperty({ example: 'username must be between 3 and 32 characters' })
  message!: string;
}

/** The one error body of the whole API. `message` is always a single string. */
export class ErrorResponseDto {
  @ApiProperty({ example: false })
  success!: false;

  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: 'Validation failed: username must be between 3 and 32 characters' })
  message!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  details?: FieldErrorDto[];
}

export function errorBody(
  statusCode: number,
  message: string,
  details?: FieldError[],
): ErrorResponseDto {
  return {
    success: false,
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    ...(details && details.length > 0 ? { details } : {}),
  };
}
