import {
  bearer,
  createDriver,
  createRider,
  login,
  PASSWORD,
  uniqueUsername,
} from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';

/**
 * Service types, which of them have a driver online, accounts and the role list are kept in memory. A change through this process shows at once; a
 * change anywhere else (another API process, an operator's psql) within a second, announced by
 * the database.
 */

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(() => t.close());

/** Asks until `check` holds; how long it took, or a failure after `withinMs`. */
async function eventually(check: () => Promise<boolean>, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > withinMs) throw new Error(`not seen within ${withinMs} ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Date.now() - started;
}

const typeNames = async () =>
  (await t.http.get('/api/service-types').expect(200)).body.map(
    (type: { name: string }) => type.name,
  );

describe('service types', () => {
  it("shows an admin's change at once", async () => {
    await t.http.get('/api/service-types').expect(200);
    await t.admin.patch('/api/service-types/2').send({ name: 'SwiftRide XL' }).expect(200);
    expect(await typeNames()).toContain('SwiftRide XL');
    await t.admin.patch('/api/service-types/2').send({ name: 'SwiftRide SUV' }).expect(200);
    expect(await typeNames()).toContain('SwiftRide SUV');
  });

  it('sends the list as the same bytes and content type as each type sent on its own', async () => {
    const list = await t.http.get('/api/service-types').expect(200);
    const ids = (list.body as { id: number }[]).map((type) => type.id);
    expect(ids.length).toBeGreaterThan(0);
    const each = await Promise.all(
      ids.map((id) => t.http.get(`/api/service-types/${id}`).expect(200)),
    );
    expect(list.text).toBe(`[${each.map((one) => one.text).join(',')}]`);
    expect(list.headers['content-type']).toBe(each[0].headers['content-type']);
    expect(list.headers['content-length']).toBe(String(Buffer.byteLength(list.text)));
  });

  it('shows a change made elsewhere within a second', async () => {
    expect(await typeNames()).toContain('SwiftRide Black');
    await t.sequelize.query(`UPDATE "ServiceTypes" SET "isActive" = false WHERE id = 3`);
    await eventually(async () => !(await typeNames()).includes('SwiftRide Black'), 1_000);
    await t.sequelize.query(`UPDATE "ServiceTypes" SET "isActive" = true WHERE id = 3`);
    await eventually(async () => (await typeNames()).includes('SwiftRide Black'), 1_000);
  });
});

describe('callers', () => {
  const secureRoute = (account: { accessToken: string }) =>
    t.http.get('/api/auth/secure-route').set('Authorization', bearer(account));

  it('refuses an account deleted by an admin at once', async () => {
    const rider = await createRider(t);
    await secureRoute(rider).expect(200);
    await t.admin.delete(`/api/users/${rider.id}`).expect(204);
    await secureRoute(rider).expect(401);
  });

  it('refuses an account deleted elsewhere within a second', async () => {
    const rider = await createRider(t);
    await secureRoute(rider).expect(200);
    await t.sequelize.query(`DELETE FROM "Sessions" WHERE "userId" = :id`, {
      replacements: { id: rider.id },
    });
    await t.sequelize.query(`DELETE FROM "Users" WHERE id = :id`, {
      replacements: { id: rider.id },
    });
    await eventually(async () => (await secureRoute(rider)).status === 401, 1_000);
  });

  it("applies an admin's demotion of a driver at once", async () => {
    const driver = await createDriver(t);
    const profile = () => t.http.get('/api/drivers/me').set('Authorization', bearer(driver));
    await profile().expect(200);
    await t.admin.patch(`/api/users/${driver.id}`).send({ roleId: 1 }).expect(200);
    await profile().expect(403);
  });

  it('applies a role change made elsewhere within a second', async () => {
    const driver = await createDriver(t);
    const profile = () => t.http.get('/api/drivers/me').set('Authorization', bearer(driver));
    await profile().expect(200);
    await t.sequelize.query(`UPDATE "Users" SET "roleId" = 1 WHERE id = :id`, {
      replacements: { id: driver.id },
    });
    await eventually(async () => (await profile()).status === 403, 1_000);
  });
});

describe('accounts', () => {
  const username = async (account: { accessToken: string }) =>
    (await t.http.get('/api/auth/me').set('Authorization', bearer(account)).expect(200)).body
      .username as string;

  it('shows a new username at once', async () => {
    const rider = await createRider(t);
    await username(rider);
    const renamed = uniqueUsername('renamed');
    await t.http
      .patch('/api/users/me')
      .set('Authorization', bearer(rider))
      .send({ username: renamed })
      .expect(200);
    expect(await username(rider)).toBe(renamed);
  });

  const profileOf = async (account: { accessToken: string }) =>
    (await t.http.get('/api/auth/me').set('Authorization', bearer(account)).expect(200)).body
      .profile as { licensePlate: string } | null;

  it("shows a driver's profile from the moment they sign up", async () => {
    const driver = await createDriver(t);
    expect(await profileOf(driver)).toMatchObject({ licensePlate: expect.any(String) });
  });

  it('shows a driver profile added elsewhere within a second', async () => {
    const rider = await createRider(t);
    expect(await profileOf(rider)).toBeNull();
    expect(await profileOf(rider)).toBeNull();
    const plate = uniqueUsername('P');
    await t.sequelize.query(
      `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "createdAt", "updatedAt")
       VALUES (:id, 'Toyota', 'Prius', :plate, now(), now())`,
      { replacements: { id: rider.id, plate } },
    );
    await eventually(async () => (await profileOf(rider))?.licensePlate === plate, 1_000);
  });

  it('shows a username changed elsewhere within a second', async () => {
    const rider = await createRider(t);
    await username(rider);
    const renamed = uniqueUsername('renamed');
    await t.sequelize.query(`UPDATE "Users" SET username = :renamed WHERE id = :id`, {
      replacements: { id: rider.id, renamed },
    });
    await eventually(async () => (await username(rider)) === renamed, 1_000);
  });
});

describe('roles', () => {
  interface ListedRole {
    id: number;
    name: string;
    userCount: number;
  }

  const listed = async (id: number): Promise<ListedRole | undefined> => {
    const response = await t.admin.get('/api/roles').query({ limit: 100 }).expect(200);
    return (response.body.data as ListedRole[]).find((role) => role.id === id);
  };

  const newRole = async (): Promise<number> =>
    (
      await t.admin
        .post('/api/roles')
        .send({ name: uniqueUsername('team') })
        .expect(201)
    ).body.id as number;

  const newMember = async (roleId: number): Promise<number> =>
    (
      await t.admin
        .post('/api/users')
        .send({ username: uniqueUsername('member'), password: PASSWORD, roleId })
        .expect(201)
    ).body.id as number;

  it('sends a page as the same bytes and content type as the page serialised anew', async () => {
    await newRole();
    const page = await t.admin.get('/api/roles').query({ limit: 2, page: 2 }).expect(200);
    expect(page.body.meta).toMatchObject({ page: 2, limit: 2 });
    expect(page.text).toBe(JSON.stringify(page.body));
    const one = await t.admin.get('/api/roles/1').expect(200);
    expect(page.headers['content-type']).toBe(one.headers['content-type']);
  });

  it("shows an admin's change at once", async () => {
    await listed(1);
    const role = await newRole();
    expect(await listed(role)).toMatchObject({ userCount: 0 });
    const member = await newMember(role);
    expect(await listed(role)).toMatchObject({ userCount: 1 });
    const renamed = uniqueUsername('renamed');
    await t.admin.patch(`/api/roles/${role}`).send({ name: renamed }).expect(200);
    expect(await listed(role)).toMatchObject({ name: renamed, userCount: 1 });
    await t.admin.patch(`/api/users/${member}`).send({ roleId: 1 }).expect(200);
    expect(await listed(role)).toMatchObject({ userCount: 0 });
    await t.admin.delete(`/api/roles/${role}`).expect(204);
    expect(await listed(role)).toBeUndefined();
  });

  it('counts a rider who signs up at once', async () => {
    const before = (await listed(1))!.userCount;
    await createRider(t);
    expect(await listed(1)).toMatchObject({ userCount: before + 1 });
  });

  it('shows changes made elsewhere within a second', async () => {
    await listed(1);
    const [[{ id: role }]] = (await t.sequelize.query(
      `INSERT INTO "Roles" (name, "createdAt", "updatedAt") VALUES (:name, now(), now()) RETURNING id`,
      { replacements: { name: uniqueUsername('team') } },
    )) as [{ id: number }[], unknown];
    await eventually(async () => (await listed(role)) !== undefined, 1_000);
    await t.sequelize.query(
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       VALUES (:username, '!', :role, now(), now())`,
      { replacements: { username: uniqueUsername('member'), role } },
    );
    await eventually(async () => (await listed(role))?.userCount === 1, 1_000);
    await t.sequelize.query(`UPDATE "Roles" SET name = 'renamed elsewhere' WHERE id = :role`, {
      replacements: { role },
    });
    await eventually(async () => (await listed(role))?.name === 'renamed elsewhere', 1_000);
    await t.sequelize.query(`DELETE FROM "Users" WHERE "roleId" = :role`, {
      replacements: { role },
    });
    await eventually(async () => (await listed(role))?.userCount === 0, 1_000);
    await t.sequelize.query(`DELETE FROM "Roles" WHERE id = :role`, { replacements: { role } });
    await eventually(async () => (await listed(role)) === undefined, 1_000);
  });

  it('refuses the role list to an admin demoted by an admin at once', async () => {
    const other = await newMember(3);
    const account = await login(
      t,
      (await t.admin.get(`/api/users/${other}`).expect(200)).body.username,
    );
    const roles = () => t.http.get('/api/roles').set('Authorization', bearer(account));
    await roles().expect(200);
    await t.admin.patch(`/api/users/${other}`).send({ roleId: 1 }).expect(200);
    await roles().expect(403);
  });

  it('refuses the role list to an admin demoted elsewhere within a second', async () => {
    const other = await newMember(3);
    const account = await login(
      t,
      (await t.admin.get(`/api/users/${other}`).expect(200)).body.username,
    );
    const roles = () => t.http.get('/api/roles').set('Authorization', bearer(account));
    await roles().expect(200);
    await t.sequelize.query(`UPDATE "Users" SET "roleId" = 1 WHERE id = :id`, {
      replacements: { id: other },
    });
    await eventually(async () => (await roles()).status === 403, 1_000);
  });
});

describe('available service types', () => {
  /** A type of its own, so that no other test's driver is online in it. */
  async function lonelyType(): Promise<number> {
    const response = await t.admin
      .post('/api/service-types')
      .send({
        name: uniqueUsername('type'),
        baseFare: 1,
        perMileRate: 1,
        perMinuteRate: 0.1,
        maxPassengers: 4,
      })
      .expect(201);
    return response.body.id as number;
  }

  const available = async (account: { accessToken: string }) =>
    (
      await t.http
        .get('/api/rides/available-service-types')
        .set('Authorization', bearer(account))
        .expect(200)
    ).body.map((type: { id: number }) => type.id) as number[];

  it('shows a driver going online or offline at once', async () => {
    const type = await lonelyType();
    const driver = await createDriver(t, { serviceTypeId: type });
    expect(await available(driver)).not.toContain(type);
    const setOnline = (isOnline: boolean) =>
      t.http
        .patch('/api/drivers/me/update-status')
        .set('Authorization', bearer(driver))
        .send({ isOnline })
        .expect(200);
    await setOnline(true);
    expect(await available(driver)).toContain(type);
    await setOnline(false);
    expect(await available(driver)).not.toContain(type);
  });

  it('shows a driver put online elsewhere within a second', async () => {
    const type = await lonelyType();
    const driver = await createDriver(t, { serviceTypeId: type });
    expect(await available(driver)).not.toContain(type);
    await t.sequelize.query(`UPDATE "DriverProfiles" SET "isOnline" = true WHERE "userId" = :id`, {
      replacements: { id: driver.id },
    });
    await eventually(async () => (await available(driver)).includes(type), 1_000);
  });
});
