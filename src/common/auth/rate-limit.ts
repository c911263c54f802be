import { applyDecorators, type ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';
import { DomainError, DomainErrorCode } from '../errors/domain-error';

export const RATE_LIMITS = ['login', 'register', 'refresh', 'logout'] as const;
export type RateLimitName = (typeof RATE_LIMITS)[number];

/** Login attempts count per client address and username, so one attacker cannot lock out a user everywhere. */
export function loginTracker(request: Record<string, unknown>): string {
  const body = request.body as { username?: unknown } | undefined;
  const username = typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '';
  return `${String(request.ip)}|${username}`;
}

/** 429 in the API's error shape, with Retry-After in seconds. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire || detail.timeToExpire));
    void context
      .switchToHttp()
      .getResponse<FastifyReply>()
      .header('Retry-After', String(retryAfter));
    throw new DomainError(
      DomainErrorCode.TooManyRequests,
      `Too many requests; try again in ${retryAfter} second(s)`,
    );
  }
}

/** Applies one of the named limits (configured in AuthModule) to a route, and only that one. */
export function RateLimit(name: RateLimitName): MethodDecorator & ClassDecorator {
  const others = Object.fromEntries(
    RATE_LIMITS.filter((other) => other !== name).map((other) => [other, true]),
  );
  return applyDecorators(SkipThrottle(others), UseGuards(RateLimitGuard));
}
