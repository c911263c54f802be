import { QueryTypes } from 'sequelize';
import type { Response } from 'supertest';
import { type Account, bearer, login, uniqueUsername } from '../support/accounts';
import { createTestApp, TEST_ADMIN, type TestApp } from '../support/app';
import { decodeJwtPayload } from '../support/jwt';
import { createRide, insertDriver, insertRider, rideAction, SF } from '../support/rides';

/**
 * Role changes and deletions that would leave the service unmanaged (no admin) or a ride stuck
 * (its driver no longer a driver), one at a time and raced.
 */

const RIDER = 1;
const DRIVER = 2;
const ADMIN = 3;
const PASSWORD = 'correct horse battery';

let t: TestApp;
let seededAdmin: Account;
/** An admin for the tests that need one; the race below may leave another than the seeded one. */
let admin: Account;

beforeAll(async () => {
  // Drivers here accept rides that were not offered to them in ranked order (broadcast).
  t = await createTestApp({ DISPATCH_MODE: 'broadcast' });
  seededAdmin = {
    id: decodeJwtPayload(t.adminToken).userId as number,
    username: TEST_ADMIN.username,
    password: TEST_ADMIN.password,
    roleId: ADMIN,
    accessToken: t.adminToken,
    refreshToken: '',
  };
  admin = seededAdmin;
});
afterAll(() => t.close());

const as = (account: Account) => ({
  patch: (path: string, body: object) =>
    t.http.patch(path).set('Authorization', bearer(account)).send(body),
  delete: (path: string) => t.http.delete(path).set('Authorization', bearer(account)),
});

/** An admin made through the API by `by`, logged in. */
async function createAdmin(by: Account): Promise<Account> {
  const username = uniqueUsername('admin');
  await t.http
    .post('/api/users')
    .set('Authorization', bearer(by))
    .send({ username, password: PASSWORD, roleId: ADMIN })
    .expect(201);
  return login(t, username);
}

async function adminIds(): Promise<number[]> {
  const rows = await t.sequelize.query<{ id: number }>(
    `SELECT u.id FROM "Users" u JOIN "Roles" r ON r.id = u."roleId"
     WHERE lower(r.name) = 'admin' ORDER BY u.id`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.id);
}

async function roleOf(userId: number): Promise<number | undefined> {
  const [row] = await t.sequelize.query<{ roleId: number }>(
    `SELECT "roleId" FROM "Users" WHERE id = :userId`,
    { replacements: { userId }, type: QueryTypes.SELECT },
  );
  return row?.roleId;
}

function expectConflict(response: Response, message: RegExp): void {
  expect({ status: response.status, body: response.body as unknown }).toMatchObject({
    status: 409,
    body: { success: false, statusCode: 409, error: 'Conflict', message: expect.any(String) },
  });
  expect(response.body.message).toMatch(message);
}

describe('the last admin', () => {
  it('may neither demote nor delete themselves: 409, and they stay an admin', async () => {
    const [only] = await adminIds();
    expect(only).toBe(seededAdmin.id);

    for (const roleId of [RIDER, DRIVER]) {
      const demoted = await as(seededAdmin).patch(`/api/users/${only}`, { roleId });
      expectConflict(demoted, /last admin/);
    }
    expectConflict(await as(seededAdmin).delete(`/api/users/${only}`), /last admin/);

    expect(await adminIds()).toEqual([only]);
    expect((await t.http.get('/api/users').set('Authorization', bearer(seededAdmin))).status).toBe(
      200,
    );
  });

  it('may be demoted or deleted while another admin remains, not once they are the last', async () => {
    const second = await createAdmin(seededAdmin);
    const third = await createAdmin(seededAdmin);

    await as(second).patch(`/api/users/${third.id}`, { roleId: RIDER }).expect(200);
    await as(seededAdmin).delete(`/api/users/${second.id}`).expect(204);

    expectConflict(
      await as(seededAdmin).patch(`/api/users/${seededAdmin.id}`, { roleId: RIDER }),
      /last admin/,
    );
    expect(await adminIds()).toEqual([seededAdmin.id]);
    // Other changes to the last admin still go through.
    await as(seededAdmin).patch(`/api/users/${seededAdmin.id}`, { roleId: ADMIN }).expect(200);
  });

  it('survives two admins demoting or deleting each other at the same moment (16 rounds)', async () => {
    // Exactly two admins at the start of every round: the seeded one and a new one.
    let pair: [Account, Account] = [seededAdmin, await createAdmin(seededAdmin)];
    const outcomes = new Set<string>();

    for (let round = 0; round < 16; round += 1) {
      expect(await adminIds()).toEqual(pair.map((admin) => admin.id).sort((a, b) => a - b));
      const [first, second] = pair;
      const strike = (by: Account, target: Account) =>
        round % 2 === 0
          ? as(by).patch(`/api/users/${target.id}`, { roleId: RIDER })
          : as(by).delete(`/api/users/${target.id}`);

      const responses = await Promise.all([strike(first, second), strike(second, first)]);

      const statuses = responses.map(({ status }) => status);
      const winners = statuses.filter((status) => status === 200 || status === 204);
      expect({ statuses, winners: winners.length }).toMatchObject({ winners: 1 });
      // The loser is refused as the last admin, or (its request arriving after its own demotion
      // or deletion) as no longer an admin or no longer a user.
      for (const response of responses.filter(({ status }) => status >= 400)) {
        expect([401, 403, 409]).toContain(response.status);
        if (response.status === 409) expect(response.body.message).toMatch(/last admin/);
        outcomes.add(String(response.status));
      }
      const survivor = pair[statuses.findIndex((status) => status < 400)];
      expect(await adminIds()).toEqual([survivor.id]);
      pair = [survivor, await createAdmin(survivor)];
      admin = survivor;
    }
    // The point of the race: at least once both requests were admitted and the database decided.
    expect(outcomes).toContain('409');
  });
});

/** Resolves 'waiting' once an accept's statement waits on a row lock (at most 5 s). */
async function waitForAcceptBlockedOnLock(): Promise<string> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const [{ waiting }] = await t.sequelize.query<{ waiting: number }>(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock'
         AND query LIKE '%UPDATE "RideRequests"%'`,
      { type: QueryTypes.SELECT },
    );
    if (waiting > 0) return 'waiting';
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return 'never waited';
}

describe('a driver on a ride', () => {
  async function driverOnRide(): Promise<{ driver: Account; rider: Account; rideId: number }> {
    const [rider, driver] = await Promise.all([insertRider(t), insertDriver(t, { at: SF })]);
    const rideId = await createRide(t, rider);
    const accepted = await rideAction(t, driver, rideId, 'accept');
    expect(accepted.status).toBe(200);
    return { driver, rider, rideId };
  }

  it.each([
    ['demoted to rider', (id: number) => as(admin).patch(`/api/users/${id}`, { roleId: RIDER })],
    ['made an admin', (id: number) => as(admin).patch(`/api/users/${id}`, { roleId: ADMIN })],
    ['deleted', (id: number) => as(admin).delete(`/api/users/${id}`)],
  ])('may not be %s: 409, and the ride goes on with them', async (_what, change) => {
    const { driver, rideId } = await driverOnRide();

    expectConflict(await change(driver.id), new RegExp(`driving ride ${rideId}`));

    expect(await roleOf(driver.id)).toBe(DRIVER);
    for (const step of ['arriving', 'start']) {
      expect((await rideAction(t, driver, rideId, step)).status).toBe(200);
    }
    expectConflict(await change(driver.id), new RegExp(`driving ride ${rideId}`));
    expect((await rideAction(t, driver, rideId, 'complete')).status).toBe(200);
  });

  it('may be demoted once the ride is completed, or once they released it', async () => {
    const finished = await driverOnRide();
    for (const step of ['arriving', 'start', 'complete']) {
      await rideAction(t, finished.driver, finished.rideId, step).expect(200);
    }
    await as(admin).patch(`/api/users/${finished.driver.id}`, { roleId: RIDER }).expect(200);

    const released = await driverOnRide();
    await rideAction(t, released.driver, released.rideId, 'release').expect(200);
    await as(admin).patch(`/api/users/${released.driver.id}`, { roleId: RIDER }).expect(200);
    expect(await roleOf(released.driver.id)).toBe(RIDER);
  });

  it('makes an accept wait for a demotion in progress, then refuses it', async () => {
    const [rider, driver] = await Promise.all([insertRider(t), insertDriver(t, { at: SF })]);
    const rideId = await createRide(t, rider);
    // What a demotion does first (DriversService.standDown), held open: the driver goes offline
    // and the profile row stays locked until the demotion's transaction ends.
    const demotion = await t.sequelize.transaction();
    let accept: Promise<Response> | undefined;
    try {
      await t.sequelize.query(
        `UPDATE "DriverProfiles" SET "isOnline" = false WHERE "userId" = :id`,
        {
          replacements: { id: driver.id },
          transaction: demotion,
        },
      );
      accept = Promise.resolve(rideAction(t, driver, rideId, 'accept'));
      const settledEarly = accept.then((response) => `answered ${response.status} at once`);
      expect(await Promise.race([waitForAcceptBlockedOnLock(), settledEarly])).toBe('waiting');
    } finally {
      await demotion.commit();
    }

    expectConflict(await accept, /Go online/);
    const [ride] = await t.sequelize.query<{ status: string; driverId: number | null }>(
      `SELECT status, "driverId" FROM "RideRequests" WHERE id = :rideId`,
      { replacements: { rideId }, type: QueryTypes.SELECT },
    );
    expect(ride).toEqual({ status: 'REQUESTED', driverId: null });
  });

  it('is never left demoted with a ride under way when demotion and accept race (20 rounds)', async () => {
    for (let round = 0; round < 20; round += 1) {
      const [rider, driver] = await Promise.all([insertRider(t), insertDriver(t, { at: SF })]);
      const rideId = await createRide(t, rider);

      const [accept, demote] = await Promise.all([
        rideAction(t, driver, rideId, 'accept'),
        as(admin).patch(`/api/users/${driver.id}`, { roleId: RIDER }),
      ]);

      const [ride] = await t.sequelize.query<{ status: string; driverId: number | null }>(
        `SELECT status, "driverId" FROM "RideRequests" WHERE id = :rideId`,
        { replacements: { rideId }, type: QueryTypes.SELECT },
      );
      if (accept.status === 200) {
        expectConflict(demote, new RegExp(`driving ride ${rideId}`));
        expect(ride).toEqual({ status: 'ACCEPTED', driverId: driver.id });
        expect(await roleOf(driver.id)).toBe(DRIVER);
      } else {
        expect(demote.status).toBe(200);
        expect([403, 409]).toContain(accept.status);
        expect(ride).toEqual({ status: 'REQUESTED', driverId: null });
        expect(await roleOf(driver.id)).toBe(RIDER);
      }
      // Free the rider for the next round.
      await rideAction(t, rider, rideId, 'cancel').expect(200);
    }
  });
});
