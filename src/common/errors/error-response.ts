import { STATUS_CODES } from 'node:http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FieldError } from './domain-error';
import { ERROR_CODE_DESCRIPTIONS, ErrorCode } from './error-codes';

export class FieldErrorDto implements FieldError {
  @ApiProperty({ example: 'username' })
  field!: string;

  @ApiProperty({ example: 'username must be between 3 and 32 characters' })
  message!: string;
}

/** One error, as the filter (or the HTTP layer below it) decided it. */
export interface ApiError {
  status: number;
  code: ErrorCode;
  message: string;
  details?: FieldError[];
}

const CODE_LIST = Object.entries(ERROR_CODE_DESCRIPTIONS)
  .map(([code, description]) => `- \`${code}\`: ${description}`)
  .join('\n');

/** The one error body of the whole API. `message` is always a single string. */
export class ErrorResponseDto {
  @ApiProperty({ example: false })
  success!: false;

  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({
    enum: ErrorCode,
    enumName: 'ErrorCode',
    example: ErrorCode.ValidationFailed,
    description: `Stable, machine-readable; branch on this, not on \`message\`.\n\n${CODE_LIST}`,
  })
  code!: ErrorCode;

  @ApiProperty({ example: 'Validation failed: username must be between 3 and 32 characters' })
  message!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  details?: FieldErrorDto[];

  @ApiProperty({
    example: '6f1c2b1e-4f8a-4c0e-9d55-2f7f0e3a9b10',
    description: "The request's id (also the `X-Request-Id` response header), as in the logs",
  })
  requestId!: string;
}

export function errorBody(error: ApiError, requestId: string): ErrorResponseDto {
  return {
    success: false,
    statusCode: error.status,
    error: STATUS_CODES[error.status] ?? 'Error',
    code: error.code,
    message: error.message,
    ...(error.details && error.details.length > 0 ? { details: error.details } : {}),
    requestId,
  };
}
