import { join } from 'node:path';
import { Client } from 'pg';
import { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import type { MigrationContext, MigrationModule, SeederModule, SeedOptions } from './migration';
import { MIGRATIONS_DIRECTORY, migrationFiles, migrationName } from './migration-files';

export { migrationName, shippedMigrationNames } from './migration-files';

/**
 * The original Express server's last migration. Reverting it, or anything before it, drops the
 * tables it created and every row in them, so undo stops here unless forced.
 */
export const ADOPTED_BASELINE = '20260316130521-add-serviceTypeId-to-driverProfiles.js';
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
  directory = MIGRATIONS_DIRECTORY,
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

export interface MigrateDownOptions {
  /** The last migration to revert; 0 for all. Without either, the latest one. */
  to?: string | 0;
  /** Allow reverting the baseline and earlier migrations, dropping the original tables. */
  force?: boolean;
}

/**
 * Reverts migrations, never the baseline or anything before it unless `force`: `to: 0` then stops
 * at the baseline, and asking for the baseline or earlier by name (or one step when only those are
 * left) is refused. Returns the names reverted.
 */
export async function migrateDown(
  url: string,
  { to, force = false }: MigrateDownOptions,
  logger?: MigratorLogger,
): Promise<string[]> {
  return withMigrationLock(url, async () => {
    const sequelize = openMigrationConnection(url);
    try {
      const migrator = createMigrator(sequelize, logger);
      const executed = (await migrator.executed()).map((migration) => migration.name);
      let target = to;
      if (!force) {
        const newer = executed.filter((name) => name > ADOPTED_BASELINE);
        const last = to === 0 ? newer[0] : (to ?? executed.at(-1));
        if (last !== undefined && last <= ADOPTED_BASELINE) {
          throw new Error(
            `Refusing to revert ${last}: undo stops at ${ADOPTED_BASELINE}, the original ` +
              "server's last migration, since reverting it or anything before drops the original " +
              'tables and every row in them. To do that anyway: npm run db:migrate:undo:everything',
          );
        }
        if (to === 0) {
          if (last === undefined) return [];
          target = last;
        }
      }
      const reverted = await migrator.down(target === undefined ? undefined : { to: target });
      return reverted.map((migration) => migration.name);
    } finally {
      await sequelize.close();
    }
  });
}
