import { randomBytes } from 'node:crypto';
import { withClient } from './postgres';
import { databaseUrl, requireTestEnv } from './test-env';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function create(name: string, template?: string): Promise<TestDatabase> {
  const adminUrl = requireTestEnv('adminUrl');
  const clause = template ? ` TEMPLATE "${template}"` : '';
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"${clause}`));
  return {
    name,
    url: databaseUrl(adminUrl, name),
    drop: () =>
      withClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => undefined),
  };
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
