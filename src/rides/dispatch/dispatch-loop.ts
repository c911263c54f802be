import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PeriodicJob } from '../../common/jobs/periodic-job';
import type { DispatchConfig } from '../../config/configuration';
import { Dispatcher } from './dispatcher';

/**
 * Runs the dispatcher on every API process (ranked mode): once per DISPATCH_WINDOW_MS, so the
 * requests of one window are matched together, or every DISPATCH_TICK_MS when the window is off
 * (requests are then dispatched inside the request; the timer serves expiries and next batches).
 * Claims in the database (see Dispatcher) make concurrent processes safe.
 */
@Injectable()
export class DispatchLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DispatchLoop.name);
  private readonly config: DispatchConfig;
  private readonly job: PeriodicJob;

  constructor(dispatcher: Dispatcher, config: ConfigService) {
    this.config = config.getOrThrow<DispatchConfig>('dispatch');
    this.job = new PeriodicJob(
      async (stopping) => {
        await dispatcher.run({ stopping });
      },
      (error) => this.logger.error(`Dispatching rides: ${error.message}`),
    );
  }

  onApplicationBootstrap(): void {
    const { mode, windowMs, tickMs } = this.config;
    if (mode !== 'ranked' || tickMs === 0) return;
    this.job.start(windowMs > 0 ? windowMs : tickMs);
  }

  // Before the database module closes its pool (on application shutdown), so no run meets a
  // closed pool.
  beforeApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }
}
