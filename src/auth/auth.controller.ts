import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { type Caller, CurrentUser, Public } from '../common/auth/auth.decorators';
import { RateLimit } from '../common/auth/rate-limit';
import { ErrorResponseDto } from '../common/errors/error-response';
import { ApiResponseDto } from '../common/http/api-response.dto';
import { ApiErrors, ApiHashingBusy } from '../common/http/api-errors.decorator';
import { AuthService } from './auth.service';
import {
  LoginDto,
  LoginResponseDto,
  LogoutDto,
  MeDto,
  RefreshDto,
  RefreshResponseDto,
  RegisterDto,
} from './dto/auth.dto';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Public()
  @RateLimit('register')
  @ApiOperation({
    summary:
      'Sign up as a rider (roleId 1) or a driver (roleId 2, with make, model and licensePlate)',
  })
  @ApiCreatedResponse({ type: ApiResponseDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  @ApiErrors(400, 409)
  @ApiHashingBusy()
  async register(@Body() dto: RegisterDto): Promise<ApiResponseDto> {
    await this.auth.register(dto);
    return { success: true, message: 'Registration successful' };
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @RateLimit('login')
  @ApiOperation({ summary: 'Log in: an access token (15 min) and a refresh token (7 days)' })
  @ApiOkResponse({ type: LoginResponseDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  @ApiErrors(400, 401)
  @ApiHashingBusy()
  login(@Body() dto: LoginDto): Promise<LoginResponseDto> {
    return this.auth.login(dto);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @RateLimit('refresh')
  @ApiOperation({
    summary: 'A new access token for a refresh token',
    description:
      'By default the refresh token stays valid (the iOS client keeps using its first one). ' +
      'Send `rotate: true` to also get a new refresh token; the old one is then revoked, and ' +
      'presenting it again revokes every token of that login.',
  })
  @ApiOkResponse({ type: RefreshResponseDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  @ApiErrors(400, 401)
  refresh(@Body() dto: RefreshDto): Promise<RefreshResponseDto> {
    return this.auth.refresh(dto.refreshToken, dto.rotate ?? false);
  }

  @Post('logout')
  @Public()
  @HttpCode(200)
  @RateLimit('logout')
  @ApiOperation({ summary: 'End the login this refresh token belongs to' })
  @ApiOkResponse({ type: ApiResponseDto })
  @ApiTooManyRequestsResponse({ type: ErrorResponseDto })
  @ApiErrors(400)
  async logout(@Body() dto: LogoutDto): Promise<ApiResponseDto> {
    await this.auth.logout(dto.refreshToken);
    return { success: true, message: 'Logged out' };
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The caller: user, role and (drivers) driver profile' })
  @ApiOkResponse({ type: MeDto })
  @ApiErrors(401)
  me(@CurrentUser() caller: Caller): Promise<MeDto> {
    return this.auth.me(caller.id);
  }

  @Get('secure-route')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Is my access token valid? (the iOS client’s session probe)' })
  @ApiOkResponse({ type: ApiResponseDto })
  @ApiErrors(401)
  secure(): ApiResponseDto {
    return { success: true, message: 'Your session is valid' };
  }
}
