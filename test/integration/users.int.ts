import { UniqueConstraintError } from 'sequelize';
import { AuthModule } from '../../src/auth/auth.module';
import { ADMIN_ROLE_ID, DRIVER_ROLE_ID, RIDER_ROLE_ID } from '../../src/common/built-ins';
import { isStillReferenced } from '../../src/common/errors/database-errors';
import { RoleStore } from '../../src/roles/role.store';
import { RolesModule } from '../../src/roles/roles.module';
import { UserStore } from '../../src/users/user.store';
import { uniqueUsername } from '../support/accounts';
import { createModuleTest, insertRide, insertUser, type ModuleTest } from '../support/nest-db';

const page = (page = 1, limit = 20) => ({ page, limit });

describe('UserStore and RoleStore', () => {
  let t: ModuleTest;
  let users: UserStore;
  let roles: RoleStore;
  /** Users made in beforeAll, by name. */
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    // The template holds no users: the counts below are exactly what this file inserts.
    t = await createModuleTest([AuthModule, RolesModule]);
    users = t.get(UserStore);
    roles = t.get(RoleStore);
    const fixtures: [string, number][] = [
      ['alice', RIDER_ROLE_ID],
      ['Alicia', RIDER_ROLE_ID],
      ['bob', DRIVER_ROLE_ID],
      ['carol_admin', ADMIN_ROLE_ID],
      ['dave%off', RIDER_ROLE_ID],
      ['daveXoff', RIDER_ROLE_ID],
      ['eve', DRIVER_ROLE_ID],
    ];
    for (const [name, roleId] of fixtures) ids[name] = await insertUser(t, roleId, name);
  });

  afterAll(() => t?.close());

  describe('page', () => {
    it('lists every user by id with their role and the total', async () => {
      const result = await users.page({}, page());
      expect(result.total).toBe(7);
      expect(result.rows.map((row) => row.username)).toEqual([
        'alice',
        'Alicia',
        'bob',
        'carol_admin',
        'dave%off',
        'daveXoff',
        'eve',
      ]);
      expect(result.rows[2]).toMatchObject({
        id: ids.bob,
        roleId: DRIVER_ROLE_ID,
        role: { id: DRIVER_ROLE_ID, name: 'driver' },
      });
      expect(result.rows[0]).not.toHaveProperty('password');
    });

    it('pages with the total of all matches', async () => {
      const second = await users.page({}, page(2, 3));
      expect(second.total).toBe(7);
      expect(second.rows.map((row) => row.username)).toEqual([
        'carol_admin',
        'dave%off',
        'daveXoff',
      ]);
      const beyond = await users.page({}, page(4, 3));
      expect(beyond).toEqual({ rows: [], total: 7 });
    });

    it('searches part of the username in any case', async () => {
      const result = await users.page({ search: 'ALI' }, page());
      expect(result.rows.map((row) => row.username)).toEqual(['alice', 'Alicia']);
      expect(result.total).toBe(2);
    });

    it('matches % and _ in a search literally', async () => {
      const percent = await users.page({ search: 'dave%' }, page());
      expect(percent.rows.map((row) => row.username)).toEqual(['dave%off']);
      const underscore = await users.page({ search: '_' }, page());
      expect(underscore.rows.map((row) => row.username)).toEqual(['carol_admin']);
      const backslash = await users.page({ search: '\\' }, page());
      expect(backslash).toEqual({ rows: [], total: 0 });
    });

    it('filters by role name in any case, counting only the matches', async () => {
      const result = await users.page({ roleName: ' DRIVER ' }, page(1, 1));
      expect(result.rows.map((row) => row.username)).toEqual(['bob']);
      expect(result.total).toBe(2);
      expect(await users.page({ roleName: 'nobody' }, page())).toEqual({ rows: [], total: 0 });
    });

    it('filters by role id, combined with a search', async () => {
      const byId = await users.page({ roleId: RIDER_ROLE_ID }, page());
      expect(byId.total).toBe(4);
      const both = await users.page({ roleId: RIDER_ROLE_ID, search: 'dave' }, page());
      expect(both.rows.map((row) => row.username)).toEqual(['dave%off', 'daveXoff']);
      expect(both.total).toBe(2);
    });
  });

  describe('findWithRole', () => {
    it('joins the role, and shows no password hash', async () => {
      const user = await users.findWithRole(ids.carol_admin);
      expect(user).toEqual({
        id: ids.carol_admin,
        username: 'carol_admin',
        roleId: ADMIN_ROLE_ID,
        role: { id: ADMIN_ROLE_ID, name: 'admin' },
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      });
    });

    it('is undefined for an id nobody has', async () => {
      expect(await users.findWithRole(999_999)).toBeUndefined();
    });
  });

  describe('findCredentialsByUsername', () => {
    it('finds the account in any letter case, with its hash', async () => {
      expect(await users.findCredentialsByUsername('ALICIA')).toEqual({
        id: ids.Alicia,
        roleId: RIDER_ROLE_ID,
        password: '!',
      });
    });

    it('does not treat LIKE characters as wildcards', async () => {
      expect(await users.findCredentialsByUsername('dave_off')).toBeUndefined();
      expect(await users.findCredentialsByUsername('dave%off')).toMatchObject({
        id: ids['dave%off'],
      });
    });

    it('is undefined for an unknown username', async () => {
      expect(await users.findCredentialsByUsername('nobody-here')).toBeUndefined();
    });
  });

  describe('insert, update, delete', () => {
    it('inserts a user whose password is readable only through findPasswordHash', async () => {
      const username = uniqueUsername('new');
      const id = await users.insert({ username, password: 'hash', roleId: RIDER_ROLE_ID });
      expect(await users.findWithRole(id)).toMatchObject({ id, username, role: { name: 'rider' } });
      expect(await users.findWithRole(id)).not.toHaveProperty('password');
      expect(await users.findPasswordHash(id)).toBe('hash');
      expect(await users.findRoleId(id)).toBe(RIDER_ROLE_ID);
    });

    it('refuses a username taken in another letter case, leaving one row', async () => {
      await expect(
        users.insert({ username: 'BOB', password: '!', roleId: RIDER_ROLE_ID }),
      ).rejects.toBeInstanceOf(UniqueConstraintError);
      const rows = await t.select(`SELECT id FROM "Users" WHERE lower(username) = 'bob'`);
      expect(rows).toEqual([{ id: ids.bob }]);
    });

    it('updates only an existing user', async () => {
      const id = await insertUser(t, RIDER_ROLE_ID);
      expect(await users.update(id, { roleId: DRIVER_ROLE_ID })).toBe(true);
      expect(await users.findRoleId(id)).toBe(DRIVER_ROLE_ID);
      expect(await users.update(999_999, { roleId: DRIVER_ROLE_ID })).toBe(false);
    });

    it('deletes a user without rides, and reports a missing one', async () => {
      const id = await insertUser(t, RIDER_ROLE_ID);
      expect(await users.delete(id)).toBe(true);
      expect(await users.findWithRole(id)).toBeUndefined();
      expect(await users.delete(id)).toBe(false);
    });

    it('refuses to delete a user rides refer to, with the foreign-key error', async () => {
      const rider = await insertUser(t, RIDER_ROLE_ID);
      await insertRide(t, { riderId: rider, status: 'COMPLETED' });
      const error: unknown = await users.delete(rider).catch((caught: unknown) => caught);
      expect(isStillReferenced(error)).toBe(true);
      expect(await users.findRoleId(rider)).toBe(RIDER_ROLE_ID);
    });
  });

  describe('RoleStore', () => {
    it('pages the built-in roles with how many users have each', async () => {
      const base = await roles.page(page());
      const counts = Object.fromEntries(base.rows.map((role) => [role.name, role.userCount]));
      const [expected] = await t.select<{ rider: number; driver: number; admin: number }>(
        `SELECT count(*) FILTER (WHERE "roleId" = 1)::int AS rider,
                count(*) FILTER (WHERE "roleId" = 2)::int AS driver,
                count(*) FILTER (WHERE "roleId" = 3)::int AS admin FROM "Users"`,
      );
      expect(base.total).toBe(3);
      expect(base.rows.map((role) => role.id)).toEqual([1, 2, 3]);
      expect(counts).toEqual(expected);
    });

    it('counts a new role as empty until a user gets it, and pages it last', async () => {
      const id = await roles.insert(`dispatcher-${process.pid}`);
      expect(await roles.findWithCount(id)).toMatchObject({ id, userCount: 0 });
      await insertUser(t, id);
      await insertUser(t, id);
      expect(await roles.findWithCount(id)).toMatchObject({ id, userCount: 2 });
      const last = await roles.page(page(2, 3));
      expect(last.total).toBe(4);
      expect(last.rows).toEqual([expect.objectContaining({ id, userCount: 2 })]);
      const error: unknown = await roles.delete(id).catch((caught: unknown) => caught);
      expect(isStillReferenced(error)).toBe(true);
    });

    it('is undefined for a missing role; rename and delete say whether it existed', async () => {
      expect(await roles.findWithCount(999_999)).toBeUndefined();
      expect(await roles.rename(999_999, 'x')).toBe(false);
      expect(await roles.delete(999_999)).toBe(false);
      const id = await roles.insert(`temp-${process.pid}`);
      expect(await roles.rename(id, `renamed-${process.pid}`)).toBe(true);
      expect(await roles.findWithCount(id)).toMatchObject({ name: `renamed-${process.pid}` });
      expect(await roles.delete(id)).toBe(true);
      expect(await roles.findWithCount(id)).toBeUndefined();
    });
  });
});
