import type { Client } from 'pg';
import { DRIVER_ROLE_ID, RIDER_ROLE_ID } from '../../src/common/built-ins';
import { uniquePlate, uniqueUsername } from '../support/accounts';
import { type ApiProcess, buildApi, startApiProcess } from '../support/api-process';
import { createMigratedDatabase, type TestDatabase } from '../support/database';
import { withClient } from '../support/postgres';

/**
 * Two API processes dispatching one database at once, each on its own timer (50 ms windows), as
 * in production. Rides are written straight to the table, as if requested through either process.
 */

const CENTRE = { latitude: 37.7749, longitude: -122.4194 };
const north = (metres: number) => ({
  latitude: CENTRE.latitude + metres / 111_195,
  longitude: CENTRE.longitude,
});

let database: TestDatabase;
const processes: ApiProcess[] = [];

beforeAll(async () => {
  await buildApi();
  database = await createMigratedDatabase();
  const env = { NODE_ENV: 'test', DATABASE_URL: database.url, DISPATCH_WINDOW_MS: '50' };
  const started = await Promise.allSettled([startApiProcess(env), startApiProcess(env)]);
  for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}, 90_000);

afterAll(async () => {
  await Promise.all(processes.map((api) => api.stop()));
  await database?.drop();
});

const sql = <T>(work: (client: Client) => Promise<T>) => withClient(database.url, work);

async function insertUser(client: Client, roleId: number): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
     VALUES ($1, '!', $2, now(), now()) RETURNING id`,
    [uniqueUsername('user'), roleId],
  );
  return rows[0].id;
}

async function insertDrivers(count: number, from: number): Promise<void> {
  await sql(async (client) => {
    for (let i = 0; i < count; i++) {
      const userId = await insertUser(client, DRIVER_ROLE_ID);
      const at = north(from + i * 40);
      await client.query(
        `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline",
           "serviceTypeId", latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
         VALUES ($1, 'Toyota', 'Prius', $2, true, 1, $3, $4, now(), now(), now())`,
        [userId, uniquePlate(), at.latitude, at.longitude],
      );
    }
  });
}

async function insertRides(count: number, from: number): Promise<number[]> {
  return sql(async (client) => {
    const ids = [];
    for (let i = 0; i < count; i++) {
      const riderId = await insertUser(client, RIDER_ROLE_ID);
      const at = north(from + i * 60);
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO "RideRequests" ("riderId", status, "serviceTypeId", "pickupLatitude",
           "pickupLongitude", "pickupAddress", "destinationLatitude", "destinationLongitude",
           "destinationAddress", "estimatedFare", "requestedAt", "createdAt", "updatedAt")
         VALUES ($1, 'REQUESTED', 1, $2, $3, 'pickup', 37.8044, -122.2712, 'destination', 20,
           now(), now(), now())
         RETURNING id`,
        [riderId, at.latitude, at.longitude],
      );
      ids.push(rows[0].id);
    }
    return ids;
  });
}

interface RideOffers {
  id: number;
  dispatchBatch: number;
  offers: number;
  batches: number[];
}

const offersOf = (rideIds: number[]) =>
  sql(async (client) => {
    const { rows } = await client.query<RideOffers>(
      `SELECT r.id, r."dispatchBatch", count(o.id)::int AS offers,
         coalesce(array_agg(DISTINCT o.batch) FILTER (WHERE o.id IS NOT NULL), '{}') AS batches
       FROM "RideRequests" r LEFT JOIN "RideOffers" o ON o."rideId" = r.id
       WHERE r.id = ANY($1::int[]) GROUP BY r.id ORDER BY r.id`,
      [rideIds],
    );
    return rows;
  });

/** Polls the database (the processes work on their own timers) until every ride has offers. */
async function untilAllOffered(rideIds: number[], ms = 20_000): Promise<RideOffers[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const rows = await offersOf(rideIds);
    if (rows.every((row) => row.offers > 0)) return rows;
    if (Date.now() > deadline) {
      throw new Error(`rides without offers: ${JSON.stringify(rows.filter((r) => !r.offers))}`);
    }
    // A poll interval, not a wait the result depends on.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

it('offers each ride in one batch of at most three, whichever process claims it', async () => {
  await insertDrivers(60, 0);
  const rideIds = await insertRides(20, 0);

  const rows = await untilAllOffered(rideIds);
  for (const row of rows) {
    expect({ id: row.id, batches: row.batches, dispatchBatch: row.dispatchBatch }).toEqual({
      id: row.id,
      batches: [1],
      dispatchBatch: 1,
    });
    expect(row.offers).toBeLessThanOrEqual(3);
  }
  const [{ most }] = await sql(async (client) => {
    const result = await client.query<{ most: number }>(
      `SELECT coalesce(max(n), 0)::int AS most FROM (SELECT count(*) AS n FROM "RideOffers"
       WHERE status = 'live' GROUP BY "driverId") x`,
    );
    return result.rows;
  });
  expect(most).toBe(1);
});

it('keeps dispatching when one of the processes is killed', async () => {
  await insertDrivers(70, 20_000);
  const before = insertRides(10, 20_000);
  await processes[0].kill();
  const after = await insertRides(10, 21_000);

  const rows = await untilAllOffered([...(await before), ...after]);
  expect(rows.every((row) => row.offers >= 1 && row.offers <= 3)).toBe(true);
});
