import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/configuration';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import {
  ADOPTED_BASELINE,
  createMigrator,
  migrateDown,
  migrateUp,
  openMigrationConnection,
  runSeeders,
  withMigrationLock,
} from './migrator';

/** `npm run db:*`: migrate, undo, status, create and seed, against DATABASE_URL or the embedded server. */
const USAGE = `usage: db <up | down [--to NAME|0] [--force] | status | create --name NAME | seed>`;
const print = (message: string) => process.stdout.write(`${message}\n`);

function timestamp(date = new Date()): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  );
}

function createMigrationFile(name: string): void {
  if (!/^[a-zA-Z0-9-]+$/.test(name)) throw new Error('--name takes letters, digits and dashes');
  const file = join(resolve('db', 'migrations'), `${timestamp()}-${name}.ts`);
  writeFileSync(
    file,
    `import type { MigrationContext } from '../migration';

export async function up({ queryInterface, sequelize, transaction }: MigrationContext): Promise<void> {
  // pass { transaction } to every call
}

export async function down({ queryInterface, sequelize, transaction }: MigrationContext): Promise<void> {
  // undo exactly what up() did, keeping the rows
}
`,
  );
  print(`created ${file}`);
}

async function run(
  command: string,
  url: string,
  options: { to?: string; force?: boolean },
): Promise<void> {
  const config = loadConfig();
  if (command === 'up') {
    const applied = await migrateUp(url, { log: print });
    print(applied.length ? `applied ${applied.length} migration(s)` : 'schema is up to date');
    return;
  }
  if (command === 'seed') {
    await runSeeders(url, {
      adminUsername: config.admin.username,
      adminPassword: config.admin.password,
    });
    print('seed data in place');
    return;
  }
  if (command === 'down') {
    const to = options.to === '0' ? 0 : options.to;
    const reverted = await migrateDown(url, { to, force: options.force }, { log: print });
    print(reverted.length ? `reverted ${reverted.length} migration(s)` : 'nothing to revert');
    if (to === 0 && !options.force) {
      print(`stopped at ${ADOPTED_BASELINE}, the original server's schema (--force to go further)`);
    }
    return;
  }
  await withMigrationLock(url, async () => {
    const sequelize = openMigrationConnection(url);
    try {
      const migrator = createMigrator(sequelize, { log: print });
      const executed = await migrator.executed();
      const pending = await migrator.pending();
      executed.forEach((migration) => print(`up       ${migration.name}`));
      pending.forEach((migration) => print(`pending  ${migration.name}`));
    } finally {
      await sequelize.close();
    }
  });
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { to: { type: 'string' }, name: { type: 'string' }, force: { type: 'boolean' } },
  });
  const command = positionals[0];
  if (command === 'create') {
    if (!values.name) throw new Error(`--name is required\n${USAGE}`);
    createMigrationFile(values.name);
    return;
  }
  if (!['up', 'down', 'status', 'seed'].includes(command ?? '')) throw new Error(USAGE);

  const config = loadConfig();
  const database = config.database.url
    ? { url: config.database.url, stop: async () => undefined }
    : await startEmbeddedPostgres(config.database, { log: print });
  try {
    await run(command!, database.url, values);
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
