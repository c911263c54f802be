import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectConnection } from '@nestjs/sequelize';
import { Redis } from 'ioredis';
import { QueryTypes } from 'sequelize';
import { Sequelize } from 'sequelize-typescript';
import { shippedMigrationNames } from '../../db/migration-files';
import type { RealtimeConfig } from '../config/configuration';

export const PROBE_TIMEOUT_MS = 2_000;

export interface Readiness {
  database: 'up' | 'down';
  /** `unknown` while the database cannot be asked. */
  migrations: 'up-to-date' | 'pending' | 'unknown';
  pendingMigrations: string[];
  redis: 'up' | 'down' | 'not-configured';
}

/** Resolves `fallback` if `work` has not settled within the probe timeout. */
async function withinTimeout<T>(work: Promise<T>, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether this process can serve: its database, its schema and (when configured) its Redis. */
@Injectable()
export class ReadinessService implements OnModuleDestroy {
  /** The files do not change while the process runs. */
  private readonly shipped = shippedMigrationNames();
  private readonly redisUrl?: string;
  private redis?: Redis;

  constructor(
    @InjectConnection() private readonly sequelize: Sequelize,
    config: ConfigService,
  ) {
    this.redisUrl = config.get<RealtimeConfig>('realtime')?.redisUrl;
  }

  async databaseAnswers(): Promise<boolean> {
    return withinTimeout(
      this.sequelize.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      false,
    );
  }

  async check(): Promise<Readiness> {
    const [database, redis] = await Promise.all([this.databaseAnswers(), this.redisState()]);
    const pending = database ? await this.pendingMigrations() : undefined;
    return {
      database: database ? 'up' : 'down',
      migrations: pending === undefined ? 'unknown' : pending.length > 0 ? 'pending' : 'up-to-date',
      pendingMigrations: pending ?? [],
      redis,
    };
  }

  /** Shipped migrations missing from SequelizeMeta; undefined when the database does not answer. */
  private async pendingMigrations(): Promise<string[] | undefined> {
    const applied = await withinTimeout(
      this.sequelize
        .query<{ name: string }>('SELECT name FROM "SequelizeMeta"', { type: QueryTypes.SELECT })
        .then(
          (rows) => new Set(rows.map((row) => row.name)),
          // No SequelizeMeta table: nothing was ever migrated.
          (error: { original?: { code?: string } }) =>
            error.original?.code === '42P01' ? new Set<string>() : undefined,
        ),
      undefined,
    );
    return applied && this.shipped.filter((name) => !applied.has(name));
  }

  private async redisState(): Promise<Readiness['redis']> {
    if (!this.redisUrl) return 'not-configured';
    this.redis ??= this.connectRedis(this.redisUrl);
    const answered = await withinTimeout(
      this.redis.ping().then(
        () => true,
        () => false,
      ),
      false,
    );
    return answered ? 'up' : 'down';
  }

  private connectRedis(url: string): Redis {
    const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: PROBE_TIMEOUT_MS });
    // The probe reports an outage; the realtime adapter already logs it.
    client.on('error', () => undefined);
    return client;
  }

  onModuleDestroy(): void {
    this.redis?.disconnect();
  }
}
