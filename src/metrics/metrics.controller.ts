import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../common/auth/auth.decorators';
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import type { MetricsConfig } from '../config/configuration';
import { Metrics } from './metrics';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * `GET /api/metrics` for a scraper that reaches the API the way clients do; registered only when
 * METRICS_TOKEN is set, so without one the route is an ordinary 404. Not in the API docs: it is for
 * operators, not for apps.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  private readonly expected: Buffer;

  constructor(
    private readonly metrics: Metrics,
    config: ConfigService,
  ) {
    this.expected = digest(config.getOrThrow<MetricsConfig>('metrics').token!);
  }

  @Get()
  @Public()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    // Compared as digests: equal lengths for timingSafeEqual, and no timing hint of the token's.
    if (token === undefined || !timingSafeEqual(digest(token), this.expected)) {
      reply.header('WWW-Authenticate', 'Bearer');
      throw new DomainError(
        DomainErrorCode.Unauthorized,
        'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>',
      );
    }
    reply.header('Content-Type', this.metrics.contentType).header('Cache-Control', 'no-store');
    return this.metrics.render();
  }
}
