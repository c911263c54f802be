import type { Sequelize } from 'sequelize';
import type { Umzug } from 'umzug';
import { createMigrator, openMigrationConnection } from '../../db/migrator';
import { copyDatabase, createEmptyDatabase, type TestDatabase } from './database';
import { withClient } from './postgres';

/** Helpers for tests that run migrations step by step on databases of their own. */

/** Runs `work` on a fresh empty database, dropped afterwards whatever happens. */
export async function onEmptyDatabase(work: (url: string) => Promise<void>): Promise<void> {
  const database = await createEmptyDatabase();
  try {
    await work(database.url);
  } finally {
    await database.drop();
  }
}

/** Empty databases migrated up to a migration, made once per test file, by that migration's name. */
const snapshots = new Map<string, Promise<TestDatabase>>();

function snapshotAt(to: string): Promise<TestDatabase> {
  let snapshot = snapshots.get(to);
  if (!snapshot) {
    snapshot = createEmptyDatabase().then(async (database) => {
      await withMigrator(database.url, (migrator) => migrator.up({ to }));
      return database;
    });
    snapshots.set(to, snapshot);
  }
  return snapshot;
}

/**
 * Runs `work` on a fresh database just as an empty one is once migrated up to `to`, dropped
 * afterwards whatever happens. The first call for a given `to` migrates an empty database; later
 * ones in the file copy that one (CREATE DATABASE … TEMPLATE), sparing PostgreSQL the DDL of every
 * migration up to `to`. The migrated originals are dropped with the rest of the run's databases by
 * the global teardown.
 */
export async function onDatabaseMigratedTo(
  to: string,
  work: (url: string) => Promise<void>,
): Promise<void> {
  const database = await copyDatabase(await snapshotAt(to));
  try {
    await work(database.url);
  } finally {
    await database.drop();
  }
}

/** The migrator on its own connection, closed afterwards. */
export async function withMigrator<T>(
  url: string,
  work: (migrator: Umzug<Sequelize>) => Promise<T>,
): Promise<T> {
  const sequelize = openMigrationConnection(url);
  try {
    return await work(createMigrator(sequelize));
  } finally {
    await sequelize.close();
  }
}

export async function query<Row extends object = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const result = await withClient(url, (client) => client.query<Row>(sql, params));
  return result.rows;
}

/** The migration names recorded in SequelizeMeta, in order. */
export async function recordedMigrations(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(url, `SELECT name FROM "SequelizeMeta" ORDER BY name`);
  return rows.map((row) => row.name);
}
