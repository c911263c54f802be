/**
 * Sign-ins beyond what the hashing gate admits (HASH_CONCURRENCY running, HASH_QUEUE_MAX waiting):
 * 503 with Retry-After at once, nothing written, while every other route keeps answering.
 */
import * as argon2 from 'argon2';
import type { Response } from 'supertest';
import { DRIVER_ROLE_ID, RIDER_ROLE_ID } from '../../src/common/built-ins';
import { Metrics } from '../../src/metrics/metrics';
import { HashingGate } from '../../src/users/hashing-gate';
import {
  type Account,
  createRider,
  PASSWORD,
  uniquePlate,
  uniqueUsername,
} from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';

/** One hash at a time and one waiting: a third at once is refused. */
const LIMITS = { HASH_CONCURRENCY: '1', HASH_QUEUE_MAX: '1' };

/** OWASP's argon2id parameters, as production hashes passwords: slow enough to pile up. */
const PRODUCTION_ARGON2: argon2.HashOptions = {
  type: argon2.argon2id,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
};

function expectBusy(response: Response): void {
  expect(response.status).toBe(503);
  expect(response.body).toEqual({
    success: false,
    statusCode: 503,
    error: 'Service Unavailable',
    code: 'BUSY',
    message: 'Too many sign-ins right now; retry shortly',
    requestId: response.headers['x-request-id'],
  });
  expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/);
}

async function refusedSoFar(t: TestApp): Promise<number> {
  const text = await t.app.get(Metrics).render();
  return Number(/^swiftride_password_hashes_refused_total (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Resolves once `done` holds, checking after each turn of the event loop (bounded). */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('the gate did not get there within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('sign-ins when password hashing is saturated', () => {
  let t: TestApp;
  let gate: HashingGate;
  let rider: Account;

  beforeAll(async () => {
    t = await createTestApp(LIMITS);
    gate = t.app.get(HashingGate);
    rider = await createRider(t);
  });
  afterAll(() => t.close());

  /**
   * Takes the hashing slot and the queue's place with work that lasts until `release`, as a burst
   * of sign-ins would; resolves once both are taken.
   */
  async function saturate(): Promise<() => Promise<void>> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = [gate.run(() => released), gate.run(() => released)];
    expect([gate.inFlight, gate.queued]).toEqual([1, 1]);
    return async () => {
      release();
      await Promise.all(held);
    };
  }

  const sessionsOf = async (userId: number): Promise<number> => {
    const [rows] = await t.sequelize.query(
      `SELECT count(*)::int AS count FROM "Sessions" WHERE "userId" = ${userId}`,
    );
    return (rows as { count: number }[])[0].count;
  };

  it('answers a login 503 with Retry-After at once, starting no session, and 200 once there is room', async () => {
    const release = await saturate();
    const before = await refusedSoFar(t);
    const sessions = await sessionsOf(rider.id);
    try {
      expectBusy(
        await t.http.post('/api/auth/login').send({ username: rider.username, password: PASSWORD }),
      );
      // An unknown user is refused the same way: the answer says nothing about who exists.
      expectBusy(
        await t.http
          .post('/api/auth/login')
          .send({ username: uniqueUsername('nobody'), password: PASSWORD }),
      );
      expect(await refusedSoFar(t)).toBe(before + 2);
      expect(await sessionsOf(rider.id)).toBe(sessions);
    } finally {
      await release();
    }
    const login = await t.http
      .post('/api/auth/login')
      .send({ username: rider.username, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(await sessionsOf(rider.id)).toBe(sessions + 1);
  });

  it('keeps answering routes that hash nothing while sign-ins are refused', async () => {
    const release = await saturate();
    try {
      expect((await t.http.get('/api/service-types')).status).toBe(200);
      const secure = await t.http
        .get('/api/auth/secure-route')
        .set('Authorization', `Bearer ${rider.accessToken}`);
      expect(secure.status).toBe(200);
      const refreshed = await t.http
        .post('/api/auth/refresh')
        .send({ refreshToken: rider.refreshToken });
      expect(refreshed.status).toBe(200);
      expect((await t.admin.get('/api/users')).status).toBe(200);
    } finally {
      await release();
    }
  });

  it('writes nothing for a refused sign-up, rider or driver, so the same sign-up works later', async () => {
    const riderName = uniqueUsername('refused-rider');
    const driverName = uniqueUsername('refused-driver');
    const plate = uniquePlate();
    const signUps = [
      { username: riderName, password: PASSWORD, roleId: RIDER_ROLE_ID },
      {
        username: driverName,
        password: PASSWORD,
        roleId: DRIVER_ROLE_ID,
        make: 'Toyota',
        model: 'Prius',
        licensePlate: plate,
      },
    ];
    const release = await saturate();
    try {
      for (const body of signUps) expectBusy(await t.http.post('/api/auth/register').send(body));
    } finally {
      await release();
    }
    const [users] = await t.sequelize.query(
      `SELECT count(*)::int AS count FROM "Users" WHERE username IN (:names)`,
      { replacements: { names: [riderName, driverName] } },
    );
    expect(users).toEqual([{ count: 0 }]);
    const [profiles] = await t.sequelize.query(
      `SELECT count(*)::int AS count FROM "DriverProfiles" WHERE "licensePlate" = :plate`,
      { replacements: { plate } },
    );
    expect(profiles).toEqual([{ count: 0 }]);
    for (const body of signUps) {
      expect((await t.http.post('/api/auth/register').send(body)).status).toBe(201);
    }
  });

  it('refuses a password change, by the user or an admin, and leaves password and logins as they were', async () => {
    const account = await createRider(t);
    const release = await saturate();
    try {
      expectBusy(
        await t.http
          .patch('/api/users/me')
          .set('Authorization', `Bearer ${account.accessToken}`)
          .send({ password: 'a brand new password', currentPassword: PASSWORD }),
      );
      expectBusy(
        await t.admin.patch(`/api/users/${account.id}`).send({ password: 'an admin-set password' }),
      );
      expectBusy(
        await t.admin
          .post('/api/users')
          .send({ username: uniqueUsername('admin-made'), password: PASSWORD, roleId: 1 }),
      );
    } finally {
      await release();
    }
    const refreshed = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: account.refreshToken });
    expect(refreshed.status).toBe(200);
    const login = await t.http
      .post('/api/auth/login')
      .send({ username: account.username, password: PASSWORD });
    expect(login.status).toBe(200);
  });

  it('gives up the queue place of a login whose client hung up, without hashing it', async () => {
    const baseUrl = t.baseUrl;
    let release!: () => void;
    const holder = gate.run(() => new Promise<void>((resolve) => (release = resolve)));
    const body = JSON.stringify({ username: rider.username, password: PASSWORD });
    const post = (signal?: AbortSignal) =>
      fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal,
      });
    try {
      const hangUp = new AbortController();
      const abandoned = post(hangUp.signal).catch((error: Error) => error.name);
      await until(() => gate.queued === 1);
      hangUp.abort();
      expect(await abandoned).toBe('AbortError');
      await until(() => gate.queued === 0);
      // Its place is free again: the next login waits in it instead of being refused.
      const next = post();
      await until(() => gate.queued === 1);
      release();
      expect((await next).status).toBe(200);
    } finally {
      release();
      await holder;
    }
  });

  it('refuses what a burst of real logins leaves past the queue, and answers the rest', async () => {
    // Tests hash at argon2's minimum cost; a verification costs what the stored hash says, so
    // this account's production-cost hash keeps each login busy long enough for a queue to form.
    const username = uniqueUsername('slow-hash');
    await t.sequelize.query(
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       VALUES (:username, :password, :roleId, now(), now())`,
      {
        replacements: {
          username,
          password: await argon2.hash(PASSWORD, PRODUCTION_ARGON2),
          roleId: RIDER_ROLE_ID,
        },
      },
    );
    const burst = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        t.http
          .post('/api/auth/login')
          .send({ username, password: i === 0 ? PASSWORD : 'not the password' }),
      ),
    );
    const statuses = burst.map((response) => response.status);
    expect(statuses.filter((status) => ![200, 401, 503].includes(status))).toEqual([]);
    const refused = burst.filter((response) => response.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    // At most one running and one waiting when each arrived: the rest were answered in turn.
    expect(refused.length).toBeLessThanOrEqual(10);
    for (const response of refused) expectBusy(response);
    expect([gate.inFlight, gate.queued]).toEqual([0, 0]);
  });
});
