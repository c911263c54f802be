import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { SequelizeModule } from '@nestjs/sequelize';
import { ThrottlerModule } from '@nestjs/throttler';
import { AccessGuard } from '../common/auth/access.guard';
import { loginTracker } from '../common/auth/rate-limit';
import type { RateLimitConfig } from '../config/configuration';
import { DriverProfile } from '../drivers/driver-profile.model';
import { ServiceTypesModule } from '../service-types/service-types.module';
import { User } from '../users/user.model';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { FallbackThrottlerStorage } from './fallback-throttler-storage';
import { Session } from './session.model';
import { SessionsService } from './sessions.service';
import { TokenService } from './token.service';

const MINUTE = 60_000;

/** Accounts, tokens and the global access guard (deny by default). */
@Global()
@Module({
  imports: [
    SequelizeModule.forFeature([User, DriverProfile, Session]),
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
          ],
          // Shared counters when several instances run (per process while Redis is away).
          storage: limits.redisUrl ? new FallbackThrottlerStorage(limits.redisUrl) : undefined,
        };
      },
    }),
    ServiceTypesModule,
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    SessionsService,
    TokenService,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [SessionsService, TokenService],
})
export class AuthModule {}
