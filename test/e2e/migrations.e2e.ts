/** The schema history in db/: reversibility, recorded names, data kept by the data migrations, seeds. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { migrateUp, runSeeders } from '../../db/migrator';
import { verifyPassword } from '../../src/users/password-hasher';
import { withClient } from '../support/postgres';
import { onEmptyDatabase, query, recordedMigrations, withMigrator } from '../support/migrations';

const MIGRATIONS_DIRECTORY = join(__dirname, '..', '..', 'db', 'migrations');
const CREATE_USER = '20260216222120-create-user.js';
const CREATE_ROLE = '20260217150451-create-role.js';
const MOVE_ROLE = '20260217150640-update-users-add-roleId-remove-role.js';
const TIGHTEN = '20261125100000-tighten-users-and-roles.js';

/** What sequelize-cli would record for each migration source file. */
function expectedMigrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIRECTORY)
    .filter((file) => /^\d{14}-[\w-]+\.ts$/.test(file))
    .sort()
    .map((file) => file.replace(/\.ts$/, '.js'));
}

async function columnsOf(url: string, table: string): Promise<Record<string, string>> {
  const rows = await query<{ column_name: string; is_nullable: string }>(
    url,
    `SELECT column_name, is_nullable FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1`,
    [table],
  );
  return Object.fromEntries(rows.map((row) => [row.column_name, row.is_nullable]));
}

/** Everything the migrations own, in a stable order; SequelizeMeta is the runner's, not ours. */
async function schemaSnapshot(url: string) {
  return withClient(url, async (client) => {
    const rows = async (sql: string) => (await client.query(sql)).rows;
    const tables = await rows(`
      SELECT table_name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_name <> 'SequelizeMeta'
      ORDER BY table_name`);
    return {
      tables: tables.map((row) => row.table_name as string),
      columns: await rows(`
        SELECT table_name, column_name, ordinal_position, data_type, udt_name,
               character_maximum_length, numeric_precision, numeric_scale, is_nullable, column_default
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name <> 'SequelizeMeta'
        ORDER BY table_name, ordinal_position`),
      indexes: await rows(`
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename <> 'SequelizeMeta'
        ORDER BY tablename, indexname`),
      constraints: await rows(`
        SELECT rel.relname AS table_name, con.conname, con.contype,
               pg_get_constraintdef(con.oid) AS definition
        FROM pg_constraint con
        JOIN pg_class rel ON rel.oid = con.conrelid
        WHERE rel.relnamespace = current_schema()::regnamespace AND rel.relname <> 'SequelizeMeta'
        ORDER BY rel.relname, con.conname`),
      sequences: await rows(`
        SELECT sequence_name, data_type FROM information_schema.sequences
        WHERE sequence_schema = current_schema() ORDER BY sequence_name`),
      enumTypes: await rows(`
        SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typnamespace = current_schema()::regnamespace
        GROUP BY t.typname ORDER BY t.typname`),
    };
  });
}

describe('database migrations', () => {
  it('leaves an identical schema after migrating up, all the way down and up again', () =>
    onEmptyDatabase(async (url) => {
      const empty = await schemaSnapshot(url);
      await migrateUp(url);
      const migrated = await schemaSnapshot(url);
      expect(migrated.tables).toEqual(expect.arrayContaining(['Roles', 'Users']));

      await withMigrator(url, (migrator) => migrator.down({ to: 0 }));
      const unmigrated = await schemaSnapshot(url);
      expect(unmigrated.tables).toEqual([]);
      expect(unmigrated).toEqual(empty);
      expect(await recordedMigrations(url)).toEqual([]);

      await migrateUp(url);
      expect(await schemaSnapshot(url)).toEqual(migrated);
    }));

  it('records every migration in SequelizeMeta under its file name with a .js suffix', () =>
    onEmptyDatabase(async (url) => {
      const expected = expectedMigrationNames();

      expect(await migrateUp(url)).toEqual(expected);

      expect(await recordedMigrations(url)).toEqual(expected);
      expect(expected.slice(0, 3)).toEqual([CREATE_USER, CREATE_ROLE, MOVE_ROLE]);
    }));

  it('applies each migration exactly once when two processes migrate the same database at once', () =>
    onEmptyDatabase(async (url) => {
      const [first, second] = await Promise.all([migrateUp(url), migrateUp(url)]);

      expect([...first, ...second].sort()).toEqual(expectedMigrationNames());
      expect(await recordedMigrations(url)).toEqual(expectedMigrationNames());
    }));
});

describe('the migration from Users.role to Users.roleId', () => {
  const USERS = [
    { username: 'capitalised', role: 'Driver', expected: 'driver' },
    { username: 'trailing-space', role: 'driver ', expected: 'driver' },
    { username: 'plain', role: 'driver', expected: 'driver' },
    { username: 'boss', role: 'admin', expected: 'admin' },
    { username: 'shouting', role: 'RIDER', expected: 'rider' },
    { username: 'blank', role: '', expected: 'rider' },
    { username: 'no-role', role: null, expected: 'rider' },
    { username: 'dispatch', role: 'dispatcher', expected: 'dispatcher' },
  ];

  async function insertUsersWithFreeTextRoles(url: string): Promise<void> {
    for (const user of USERS) {
      await query(
        url,
        `INSERT INTO "Users" (username, password, role, "createdAt", "updatedAt")
         VALUES ($1, 'secret', $2, now(), now())`,
        [user.username, user.role],
      );
    }
  }

  it('turns role strings into Roles rows and back without losing any user’s role', () =>
    onEmptyDatabase(async (url) => {
      await withMigrator(url, async (migrator) => {
        await migrator.up({ to: CREATE_ROLE });
        await insertUsersWithFreeTextRoles(url);

        await migrator.up({ to: MOVE_ROLE });

        const roles = await query(url, `SELECT id, name FROM "Roles" ORDER BY id`);
        expect(roles).toEqual([
          { id: 1, name: 'rider' },
          { id: 2, name: 'driver' },
          { id: 3, name: 'admin' },
          { id: expect.any(Number), name: 'dispatcher' },
        ]);
        const users = await query(
          url,
          `SELECT u.username, r.name AS role FROM "Users" u JOIN "Roles" r ON r.id = u."roleId"
           ORDER BY u.id`,
        );
        expect(users).toEqual(
          USERS.map(({ username, expected }) => ({ username, role: expected })),
        );
        const columns = await columnsOf(url, 'Users');
        expect(columns).not.toHaveProperty('role');
        expect(columns).toHaveProperty('roleId', 'NO');
        const foreignKeys = await query(
          url,
          `SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint
           WHERE conrelid = '"Users"'::regclass AND contype = 'f'`,
        );
        expect(foreignKeys).toEqual([
          {
            definition:
              'FOREIGN KEY ("roleId") REFERENCES "Roles"(id) ON UPDATE CASCADE ON DELETE RESTRICT',
          },
        ]);

        await migrator.down({ to: MOVE_ROLE });

        const restored = await query(url, `SELECT username, role FROM "Users" ORDER BY id`);
        expect(restored).toEqual(
          USERS.map(({ username, expected }) => ({ username, role: expected })),
        );
        expect(await columnsOf(url, 'Users')).not.toHaveProperty('roleId');
      });
    }));
});

describe('the migration that tightens Users and Roles', () => {
  async function insertReturningId(url: string, sql: string, params: unknown[]): Promise<number> {
    const [row] = await query<{ id: number }>(url, `${sql} RETURNING id`, params);
    return row.id;
  }

  const insertRole = (url: string, name: string | null) =>
    insertReturningId(
      url,
      `INSERT INTO "Roles" (name, "createdAt", "updatedAt") VALUES ($1, now(), now())`,
      [name],
    );

  const insertUser = (url: string, username: string | null, password: string | null) =>
    insertReturningId(
      url,
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       SELECT $1, $2, id, now(), now() FROM "Roles" WHERE name = 'rider'`,
      [username, password],
    );

  it('repairs duplicate, padded and missing values instead of failing, then enforces them', () =>
    onEmptyDatabase(async (url) => {
      await withMigrator(url, async (migrator) => {
        const names = (await migrator.pending()).map((migration) => migration.name);
        await migrator.up({ to: names[names.indexOf(TIGHTEN) - 1] });

        const rider = await insertRole(url, 'rider');
        const driver = await insertRole(url, 'driver');
        const shoutedDriver = await insertRole(url, 'Driver');
        const unnamedRole = await insertRole(url, null);
        const oldestAnn = await insertUser(url, 'Ann', 'hash-1');
        const laterAnn = await insertUser(url, 'ann', 'hash-2');
        const paddedBob = await insertUser(url, ' bob ', 'hash-3');
        const nameless = await insertUser(url, null, 'hash-4');
        const passwordless = await insertUser(url, 'carol', null);

        await migrator.up({ to: TIGHTEN });

        expect(await query(url, `SELECT id, username, password FROM "Users" ORDER BY id`)).toEqual([
          { id: oldestAnn, username: 'Ann', password: 'hash-1' },
          { id: laterAnn, username: `ann-${laterAnn}`, password: 'hash-2' },
          { id: paddedBob, username: 'bob', password: 'hash-3' },
          { id: nameless, username: `user-${nameless}`, password: 'hash-4' },
          { id: passwordless, username: 'carol', password: '!' },
        ]);
        expect(await query(url, `SELECT id, name FROM "Roles" ORDER BY id`)).toEqual([
          { id: rider, name: 'rider' },
          { id: driver, name: 'driver' },
          { id: shoutedDriver, name: `Driver-${shoutedDriver}` },
          { id: unnamedRole, name: `role-${unnamedRole}` },
        ]);
        await expect(insertUser(url, 'ANN', 'hash-5')).rejects.toMatchObject({
          code: '23505',
          constraint: 'Users_username_lower_key',
        });
        await expect(insertRole(url, 'DRIVER')).rejects.toMatchObject({
          code: '23505',
          constraint: 'Roles_name_lower_key',
        });
        await expect(insertUser(url, null, 'hash-6')).rejects.toMatchObject({ code: '23502' });
      });
    }));
  it('picks a free name when the renamed duplicate would clash with an existing name', () =>
    onEmptyDatabase(async (url) => {
      await withMigrator(url, async (migrator) => {
        const names = (await migrator.pending()).map((migration) => migration.name);
        await migrator.up({ to: names[names.indexOf(TIGHTEN) - 1] });
        await insertRole(url, 'rider');
        const first = await insertUser(url, 'ann', 'hash-1');
        const second = await insertUser(url, 'Ann', 'hash-2');
        const taken = await insertUser(url, `ann-${second}`, 'hash-3');

        await migrator.up({ to: TIGHTEN });

        expect(await query(url, `SELECT id, username FROM "Users" ORDER BY id`)).toEqual([
          { id: first, username: 'ann' },
          { id: second, username: `Ann-${second}-2` },
          { id: taken, username: `ann-${second}` },
        ]);
      });
    }));
});

describe('seed data', () => {
  const ADMIN = { adminUsername: 'boss', adminPassword: 'correct horse battery staple' };

  it('creates rider = 1, driver = 2 and admin = 3 once, and hands out later role ids from 4', () =>
    onEmptyDatabase(async (url) => {
      await migrateUp(url);

      await runSeeders(url, {});
      await runSeeders(url, {});

      expect(await query(url, `SELECT id, name FROM "Roles" ORDER BY id`)).toEqual([
        { id: 1, name: 'rider' },
        { id: 2, name: 'driver' },
        { id: 3, name: 'admin' },
      ]);
      const [added] = await query<{ id: number }>(
        url,
        `INSERT INTO "Roles" (name, "createdAt", "updatedAt") VALUES ('dispatcher', now(), now())
         RETURNING id`,
      );
      expect(added.id).toBeGreaterThanOrEqual(4);
      expect(await query(url, `SELECT id FROM "Users"`)).toEqual([]);
    }));

  it('creates the configured admin account once, in the admin role, with an argon2id hash', () =>
    onEmptyDatabase(async (url) => {
      await migrateUp(url);

      await runSeeders(url, ADMIN);
      await runSeeders(url, { ...ADMIN, adminPassword: 'a different password' });

      const users = await query<{ username: string; password: string; role: string }>(
        url,
        `SELECT u.username, u.password, r.name AS role
         FROM "Users" u JOIN "Roles" r ON r.id = u."roleId"`,
      );
      expect(users).toEqual([
        { username: 'boss', password: expect.stringMatching(/^\$argon2id\$/), role: 'admin' },
      ]);
      expect(await verifyPassword(users[0].password, ADMIN.adminPassword)).toBe(true);
    }));
});
