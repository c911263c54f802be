import './v8-flags';
import { Logger } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import { runSeeders, migrateUp } from '../db/migrator';
import { createApp } from './app.setup';
import { createLogger, flushLogs } from './common/logging/logger';
import { PinoNestLogger } from './common/logging/nest-logger';
import { type AppConfig, loadConfig } from './config/configuration';
import { type RunningDatabase, startEmbeddedPostgres } from './database/embedded-postgres';

const logger = new Logger('Bootstrap');
/** Set once the configuration is read; until then Nest's console logger writes (synchronously). */
let log: PinoLogger | undefined;

/** With no DATABASE_URL the API brings its own PostgreSQL, migrated and seeded before serving. */
async function provideDatabase(config: AppConfig): Promise<RunningDatabase> {
  if (config.database.url) return { url: config.database.url, stop: async () => undefined };
  const database = await startEmbeddedPostgres(
    { ...config.database, database: 'swiftride' },
    logger,
  );
  try {
    const applied = await migrateUp(database.url);
    if (applied.length > 0) logger.log(`Applied ${applied.length} migration(s)`);
    await runSeeders(database.url, {
      adminUsername: config.admin.username,
      adminPassword: config.admin.password,
    });
  } catch (error) {
    await database.stop();
    throw error;
  }
  return database;
}

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const pino = createLogger(config.log);
  log = pino;
  Logger.overrideLogger(new PinoNestLogger(pino));
  const database = await provideDatabase(config);
  const app = await createApp(
    { ...config, database: { ...config.database, url: database.url } },
    pino,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received: closing the API, then the database`);
    // First stop accepting connections and answer every request already received, while the
    // database is still there; app.close() would close the pool before the HTTP server.
    await app
      .getHttpAdapter()
      .close()
      .catch((error: Error) => logger.error(`closing the HTTP server: ${error.message}`));
    await app.close().catch((error: Error) => logger.error(`closing the API: ${error.message}`));
    await database
      .stop()
      .catch((error: Error) => logger.error(`stopping PostgreSQL: ${error.message}`));
    await flushLogs(pino);
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => void shutdown(signal));
  }

  try {
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    await database.stop();
    throw error;
  }
  // The port bound, which PORT=0 leaves to the system (test harnesses start processes that way).
  const { port } = app.getHttpServer().address() as { port: number };
  logger.log(`SwiftRide API on http://localhost:${port}/api (docs at /docs)`);
}

bootstrap().catch(async (error: unknown) => {
  logger.error(error instanceof Error ? error.message : String(error));
  if (log) await flushLogs(log);
  process.exit(1);
});
