import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { RidesConfig } from '../config/configuration';
import { RidesService } from './rides.service';

/**
 * Every few seconds, cancels REQUESTED rides nobody accepted in time (`no_drivers_available`). Each
 * instance runs it; the single conditional write makes that safe.
 */
@Injectable()
export class RideExpiryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RideExpiryService.name);
  private readonly config: RidesConfig;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly rides: RidesService,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<RidesConfig>('rides');
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.expiryCheckSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep at a time per instance; a slow one is not stacked on. */
  sweep(): Promise<void> {
    this.running ??= this.rides
      .expireUnanswered()
      .then((count) => {
        if (count > 0) this.logger.log(`Cancelled ${count} unanswered ride request(s)`);
      })
      .catch((error: Error) => this.logger.error(`Expiring ride requests: ${error.message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
