import { ApiProperty } from '@nestjs/swagger';

/** The client's `APIResponse` / `SecureResponse` / `RegisterResponse`. */
export class ApiResponseDto {
  @ApiProperty({ example: true })
  success!: boolean;

  @ApiProperty({ example: 'Done' })
  message!: string;
}
