import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { SequelizeModule } from '@nestjs/sequelize';
import { ThrottlerModule } from '@nestjs/throttler';
import { loginTracker } from '../common/auth/rate-limit';
import type { RateLimitConfig } from '../config/configuration';
import { DriversModule } from '../drivers/drivers.module';
import { LoginSessions } from '../users/login-sessions';
import { UsersModule } from '../users/users.module';
import { AccessGuard } from './access.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { Authenticator } from './authenticator';
import { FallbackThrottlerStorage } from './fallback-throttler-storage';
import { Session } from './session.model';
import { SessionSweeper } from './session-sweeper';
import { SessionStore } from './session.store';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';

const MINUTE = 60_000;

/**
 * Sign-up, login, tokens and the global access guard (deny by default). Owns the Sessions table.
 * Global, so that the users feature receives LoginSessions without importing auth.
 */
@Global()
@Module({
  imports: [
    SequelizeModule.forFeature([Session]),
    JwtModule.register({}),
    ThrottlerModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const limits = config.getOrThrow<RateLimitConfig>('rateLimits');
        return {
          throttlers: [
            {
              name: 'login',
              ttl: MINUTE,
              limit: limits.loginAttemptsPerMinute,
              getTracker: loginTracker,
            },
            { name: 'register', ttl: MINUTE, limit: limits.registrationsPerMinute },
            { name: 'refresh', ttl: MINUTE, limit: limits.refreshesPerMinute },
            { name: 'logout', ttl: MINUTE, limit: limits.logoutsPerMinute },
          ],
          // Shared counters when several instances run (per process while Redis is away).
          storage: limits.redisUrl ? new FallbackThrottlerStorage(limits.redisUrl) : undefined,
        };
      },
    }),
    UsersModule,
    DriversModule,
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    Authenticator,
    SessionStore,
    SessionsService,
    SessionSweeper,
    TokenService,
    { provide: LoginSessions, useExisting: SessionsService },
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [Authenticator, LoginSessions],
})
export class AuthModule {}
