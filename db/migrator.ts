import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { Client } from 'pg';
import { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import type { MigrationContext, MigrationModule, SeederModule, SeedOptions } from './migration';

const MIGRATION_FILE = /^\d{14}-[\w-]+\.(ts|js)$/;
/** Arbitrary constant: every SwiftRide process migrating the same database queues on this lock. */
const MIGRATION_LOCK_KEY = 727_274_001;

export interface MigratorLogger {
  log(message: string): void;
}

/**
 * A connection used only for schema changes. One pooled connection: a statement that forgets to
 * pass the migration's transaction then waits for the pool and fails loudly instead of quietly
 * running outside the transaction.
 */
export function openMigrationConnection(url: string): Sequelize {
  return new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    pool: { max: 1, min: 0, acquire: 30_000 },
  });
}

/** Migration files beside this module, in name (= timestamp) order. */
function migrationFiles(directory: string): string[] {
  return readdirSync(directory)
    .filter((file) => MIGRATION_FILE.test(file) && !file.endsWith('.d.ts'))
    .sort()
    .map((file) => join(directory, file));
}

/** sequelize-cli records `name.js` whatever the source is written in; so do we. */
export function migrationName(file: string): string {
  return `${basename(file, extname(file))}.js`;
}

/** The names of the migrations this build ships, in the order they apply. */
export function shippedMigrationNames(directory = join(__dirname, 'migrations')): string[] {
  return migrationFiles(directory).map(migrationName);
}

function inTransaction(
  sequelize: Sequelize,
  step: (context: MigrationContext) => Promise<void>,
): Promise<void> {
  return sequelize.transaction((transaction) =>
    step({ queryInterface: sequelize.getQueryInterface(), sequelize, transaction }),
  );
}

export function createMigrator(
  sequelize: Sequelize,
  logger?: MigratorLogger,
  directory = join(__dirname, 'migrations'),
): Umzug<Sequelize> {
  return new Umzug({
    migrations: migrationFiles(directory).map((file) => ({
      name: migrationName(file),
      path: file,
      up: () => inTransaction(sequelize, (context) => loadMigration(file).up(context)),
      down: () => inTransaction(sequelize, (context) => loadMigration(file).down(context)),
    })),
    context: sequelize,
    storage: new SequelizeStorage({ sequelize }),
    logger: logger
      ? {
          info: (event) => logger.log(describe(event)),
          warn: (event) => logger.log(describe(event)),
          error: (event) => logger.log(describe(event)),
          debug: () => undefined,
        }
      : undefined,
  });
}

function loadMigration(file: string): MigrationModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as MigrationModule;
}

function describe(event: Record<string, unknown>): string {
  const name = typeof event.name === 'string' ? ` ${event.name}` : '';
  const duration = typeof event.durationSeconds === 'number' ? ` (${event.durationSeconds}s)` : '';
  return `${String(event.event)}${name}${duration}`;
}

/** Runs `work` while holding a session-level advisory lock, so concurrent starts migrate once. */
export async function withMigrationLock<T>(url: string, work: () => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await work();
  } finally {
    await client
      .query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY])
      .catch(() => undefined);
    await client.end();
  }
}

/** Applies every pending migration. Returns the names applied. */
export async function migrateUp(url: string, logger?: MigratorLogger): Promise<string[]> {
  return withMigrationLock(url, async () => {
    const sequelize = openMigrationConnection(url);
    try {
      const applied = await createMigrator(sequelize, logger).up();
      return applied.map((migration) => migration.name);
    } finally {
      await sequelize.close();
    }
  });
}

/** Runs every seeder in one transaction; each seeder is idempotent. */
export async function runSeeders(
  url: string,
  options: SeedOptions,
  directory = join(__dirname, 'seeders'),
): Promise<void> {
  const sequelize = openMigrationConnection(url);
  try {
    const files = migrationFiles(directory);
    await inTransaction(sequelize, async (context) => {
      for (const file of files) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        await (require(file) as SeederModule).seed(context, options);
      }
    });
  } finally {
    await sequelize.close();
  }
}
