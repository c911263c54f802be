/**
 * Which migrations this build ships, without the migrator: the API reads the list to report
 * readiness, and loading umzug (with its command-line stack, some 150 modules) for it would cost
 * every process start.
 */
import { readdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

const MIGRATION_FILE = /^\d{14}-[\w-]+\.(ts|js)$/;

export const MIGRATIONS_DIRECTORY = join(__dirname, 'migrations');

/** Migration files in `directory`, in name (= timestamp) order. */
export function migrationFiles(directory: string): string[] {
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
export function shippedMigrationNames(directory = MIGRATIONS_DIRECTORY): string[] {
  return migrationFiles(directory).map(migrationName);
}
