import { randomBytes } from 'node:crypto';
import { withClient } from './postgres';
import { databaseUrl, requireTestEnv } from './test-env';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates database `name` on `adminUrl`'s server (a copy of `template` when given). Test databases
 * do not wait for each commit to reach the disk: the server still applies every transaction with
 * its full isolation and locking, and only a crash of PostgreSQL itself could lose the last few
 * commits, which no test relies on. It saves a WAL flush on each of the suite's thousands of
 * writes. Set per database, since CREATE DATABASE … TEMPLATE does not copy settings.
 */
export async function createDatabase(
  adminUrl: string,
  name: string,
  template?: string,
): Promise<TestDatabase> {
  const clause = template ? ` TEMPLATE "${template}"` : '';
  await withClient(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE "${name}"${clause}`);
    await client.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  });
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () =>
      withClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => undefined),
  };
}

function create(name: string, template?: string): Promise<TestDatabase> {
  return createDatabase(requireTestEnv('adminUrl'), name, template);
}

function uniqueName(): string {
  return `${requireTestEnv('runId')}_${randomBytes(5).toString('hex')}`;
}

/** A database of its own for one test file: a copy of the migrated and seeded template. */
export function createMigratedDatabase(): Promise<TestDatabase> {
  return create(uniqueName(), requireTestEnv('template'));
}

/** An empty database (no tables at all), for migration tests. */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return create(uniqueName());
}

/** A copy of another database of this run, which nobody may be connected to meanwhile. */
export function copyDatabase(source: TestDatabase): Promise<TestDatabase> {
  return create(uniqueName(), source.name);
}
