import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PeriodicJob } from '../common/jobs/periodic-job';
import type { RidesConfig } from '../config/configuration';
import { RidesService } from './rides.service';

/**
 * Every few seconds, cancels REQUESTED rides nobody accepted in time (`no_drivers_available`). Each
 * instance runs it; the single conditional write makes that safe.
 */
@Injectable()
export class RideExpiryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RideExpiryService.name);
  private readonly config: RidesConfig;
  private readonly job: PeriodicJob;

  constructor(rides: RidesService, config: ConfigService) {
    this.config = config.getOrThrow<RidesConfig>('rides');
    this.job = new PeriodicJob(
      async () => {
        const count = await rides.expireUnanswered();
        if (count > 0) this.logger.log(`Cancelled ${count} unanswered ride request(s)`);
      },
      (error) => this.logger.error(`Expiring ride requests: ${error.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.job.start(this.config.expiryCheckSeconds * 1000);
  }

  // Before the database module closes its pool (on application shutdown), so no run meets a
  // closed pool.
  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** One sweep now (or the one under way). */
  sweep(): Promise<void> {
    return this.job.run();
  }
}
