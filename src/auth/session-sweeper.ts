import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PeriodicJob } from '../common/jobs/periodic-job';
import type { AuthConfig } from '../config/configuration';
import { SessionsService } from './sessions.service';

/**
 * Once per reuse interval, drops the sealed successor tokens whose interval is over, so none
 * outlives it by more than one interval. Each instance runs it; the statement is idempotent.
 */
@Injectable()
export class SessionSweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SessionSweeper.name);
  private readonly intervalSeconds: number;
  private readonly job: PeriodicJob;

  constructor(sessions: SessionsService, config: ConfigService) {
    this.intervalSeconds = config.getOrThrow<AuthConfig>('auth').refreshReuseIntervalSeconds;
    this.job = new PeriodicJob(
      async () => {
        await sessions.clearSealedSuccessors();
      },
      (error) => this.logger.warn(`Clearing sealed refresh tokens: ${error.message}`),
    );
  }

  onApplicationBootstrap(): void {
    // Without a reuse interval nothing is ever sealed.
    if (this.intervalSeconds > 0) this.job.start(this.intervalSeconds * 1000);
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
