import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AuthConfig } from '../config/configuration';
import { SessionsService } from './sessions.service';

/**
 * Once per reuse interval, drops the sealed successor tokens whose interval is over, so none
 * outlives it by more than one interval. Each instance runs it; the statement is idempotent.
 */
@Injectable()
export class SessionSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionSweeper.name);
  private readonly intervalSeconds: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly sessions: SessionsService,
    config: ConfigService,
  ) {
    this.intervalSeconds = config.getOrThrow<AuthConfig>('auth').refreshReuseIntervalSeconds;
  }

  onApplicationBootstrap(): void {
    // Without a reuse interval nothing is ever sealed.
    if (this.intervalSeconds === 0) return;
    this.timer = setInterval(() => void this.sweep(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep at a time per instance. */
  sweep(): Promise<void> {
    this.running ??= this.sessions
      .clearSealedSuccessors()
      .then(() => undefined)
      .catch((error: Error) => this.logger.warn(`Clearing sealed refresh tokens: ${error.message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
