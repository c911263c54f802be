import type { Sequelize } from 'sequelize';
import type { Umzug } from 'umzug';
import { createMigrator, openMigrationConnection } from '../../db/migrator';
import { createEmptyDatabase } from './database';
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
