import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { SequelizeModule } from '@nestjs/sequelize';
import type { DatabaseConfig } from '../config/configuration';
import { ChangeFeed } from './change-feed';
import { MODELS } from './models';
import { pgWithListenedClients } from './pg-client';
import { PreparedStatements } from './prepared-statements';

/**
 * The application's connection pool, its named statements for hot paths, and the feed of data
 * changes that lets processes cache. The schema comes from db/migrations, never from the models.
 */
@Global()
@Module({
  imports: [
    SequelizeModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const database = config.getOrThrow<DatabaseConfig>('database');
        return {
          dialect: 'postgres' as const,
          dialectModule: pgWithListenedClients,
          uri: database.url,
          models: MODELS,
          synchronize: false,
          autoLoadModels: false,
          logging: false,
          // While PostgreSQL is away a request waits at most this long, then gets its 503.
          pool: { max: database.poolMax, min: 0, idle: 10_000, acquire: database.acquireTimeoutMs },
          dialectOptions: { connectionTimeoutMillis: database.connectTimeoutMs },
          retryAttempts: 3,
          retryDelay: 1_000,
        };
      },
    }),
  ],
  providers: [ChangeFeed, PreparedStatements],
  exports: [ChangeFeed, PreparedStatements],
})
export class DatabaseModule {}
