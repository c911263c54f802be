import { randomInt } from 'node:crypto';
import type { Client } from 'pg';
import { DEFAULT_SERVICE_TYPE } from '../src/common/built-ins';
import { CENTRE, CONNECTIONS, Progress, signToken, SPREAD_DEGREES, withSql } from './common';

/**
 * The bench's data, set-based: each batch is one INSERT … SELECT generate_series (users and their
 * driver profiles or open rides in one statement through a CTE), so 100,000 drivers and 100,000
 * open rides take seconds. Geography is uniform over ±SPREAD_DEGREES around the centre.
 */
const BATCH = 10_000;
const scatter = (column: 'latitude' | 'longitude') =>
  `${CENTRE[column]} + (random() - 0.5) * ${2 * SPREAD_DEGREES}`;

export interface Accounts {
  admin: string;
  /** One rider per connection for the ride cycle and the mixed load. */
  riders: string[];
  /** Riders and drivers in pairs for the lifecycle; the drivers are online at the centre. */
  pairs: { rider: string; driver: string }[];
  riderRoleId: number;
  driverRoleId: number;
  serviceTypeIds: number[];
}

async function roleId(client: Client, name: string): Promise<number> {
  const { rows } = await client.query<{ id: number }>(
    `SELECT id FROM "Roles" WHERE lower(name) = $1`,
    [name],
  );
  return rows[0].id;
}

/** Ids of the users inserted as `<prefix><n>` for n in 1..count. */
async function insertUsers(
  client: Client,
  prefix: string,
  count: number,
  role: number,
): Promise<number[]> {
  const { rows } = await client.query<{ id: number }>(
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
     SELECT $1 || n, '!', $2, now(), now() FROM generate_series(1, $3::int) n RETURNING id`,
    [prefix, role, count],
  );
  return rows.map((row) => row.id).sort((a, b) => a - b);
}

export async function seedAccounts(url: string, secret: string): Promise<Accounts> {
  return withSql(url, async (client) => {
    const riderRoleId = await roleId(client, 'rider');
    const driverRoleId = await roleId(client, 'driver');
    const adminRoleId = await roleId(client, 'admin');
    const { rows: admins } = await client.query<{ id: number }>(
      `SELECT id FROM "Users" WHERE "roleId" = $1 ORDER BY id LIMIT 1`,
      [adminRoleId],
    );
    const { rows: types } = await client.query<{ id: number }>(
      `SELECT id FROM "ServiceTypes" WHERE "isActive" ORDER BY id`,
    );
    const riders = await insertUsers(client, 'bench-rider-', CONNECTIONS, riderRoleId);
    const pairRiders = await insertUsers(client, 'bench-pair-rider-', CONNECTIONS, riderRoleId);
    const pairDrivers = await insertUsers(client, 'bench-pair-driver-', CONNECTIONS, driverRoleId);
    // The default ride type ("SwiftRide X", the first active type), so each driver may accept.
    await client.query(
      `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline",
         "serviceTypeId", latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
       SELECT id, 'Toyota', 'Prius', 'PAIR-' || id, false, $1, $2, $3, now() + interval '1 day', now(), now()
       FROM unnest($4::int[]) id`,
      [types[0].id, CENTRE.latitude, CENTRE.longitude, pairDrivers],
    );
    return {
      admin: signToken(secret, admins[0].id, adminRoleId),
      riders: riders.map((id) => signToken(secret, id, riderRoleId)),
      pairs: pairRiders.map((id, i) => ({
        rider: signToken(secret, id, riderRoleId),
        driver: signToken(secret, pairDrivers[i], driverRoleId),
      })),
      riderRoleId,
      driverRoleId,
      serviceTypeIds: types.map((type) => type.id),
    };
  });
}

/** Geo drivers are `geo-driver-<n>`, rides' riders `geo-rider-<n>`; both numbered from 1. */
async function countLike(client: Client, prefix: string): Promise<number> {
  const { rows } = await client.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM "Users" WHERE username LIKE $1 || '%'`,
    [prefix],
  );
  return rows[0].count;
}

/**
 * At least `count` geo drivers (offline: setOnlineDrivers decides) and `rides` open rides, each
 * ride its own rider. Positions are fresh for a day so no scenario outlives them.
 */
export async function ensureGeo(
  url: string,
  accounts: Accounts,
  drivers: number,
  rides: number,
): Promise<void> {
  await withSql(url, async (client) => {
    const types = `(ARRAY[${accounts.serviceTypeIds.join(',')}])[1 + n % ${accounts.serviceTypeIds.length}]`;
    const haveDrivers = await countLike(client, 'geo-driver-');
    const haveRides = await countLike(client, 'geo-rider-');
    const todo = Math.max(0, drivers - haveDrivers) + Math.max(0, rides - haveRides);
    if (todo === 0) return;
    const progress = new Progress(`data: up to ${drivers} drivers and ${rides} open rides`);
    let done = 0;
    for (let from = haveDrivers + 1; from <= drivers; from += BATCH) {
      const to = Math.min(drivers, from + BATCH - 1);
      await client.query(
        `WITH u AS (
           INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
           SELECT 'geo-driver-' || n, '!', $1, now(), now() FROM generate_series($2::int, $3::int) n
           RETURNING id, substring(username FROM 12)::int AS n)
         INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline",
           "serviceTypeId", latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
         SELECT id, 'Toyota', 'Prius', 'GEO-' || n, false, ${types},
           ${scatter('latitude')}, ${scatter('longitude')}, now() + interval '1 day', now(), now()
         FROM u`,
        [accounts.driverRoleId, from, to],
      );
      done += to - from + 1;
      progress.update(done, todo);
    }
    for (let from = haveRides + 1; from <= rides; from += BATCH) {
      const to = Math.min(rides, from + BATCH - 1);
      await client.query(
        `WITH u AS (
           INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
           SELECT 'geo-rider-' || n, '!', $1, now(), now() FROM generate_series($2::int, $3::int) n
           RETURNING id, substring(username FROM 11)::int AS n)
         INSERT INTO "RideRequests" ("riderId", "serviceTypeId", "pickupLatitude", "pickupLongitude",
           "pickupAddress", "destinationLatitude", "destinationLongitude", "destinationAddress",
           status, "estimatedDistanceMiles", "estimatedDurationMinutes", "estimatedFare",
           "requestedAt", "createdAt", "updatedAt")
         SELECT id, ${types}, ${scatter('latitude')}, ${scatter('longitude')}, 'pickup',
           ${scatter('latitude')}, ${scatter('longitude')}, 'destination', 'REQUESTED', 3.1, 9, 14.5,
           now(), now(), now()
         FROM u`,
        [accounts.riderRoleId, from, to],
      );
      done += to - from + 1;
      progress.update(done, todo);
    }
    progress.done();
    await client.query(`ANALYZE "Users"; ANALYZE "DriverProfiles"; ANALYZE "RideRequests"`);
  });
}

/** Exactly the first `count` geo drivers online (and the lifecycle's drivers as `pairsOnline`). */
export async function setOnlineDrivers(
  url: string,
  count: number,
  pairsOnline = false,
): Promise<void> {
  await withSql(url, async (client) => {
    await client.query(
      `UPDATE "DriverProfiles" SET "isOnline" = (substring("licensePlate" FROM 5)::int <= $1)
       WHERE "licensePlate" LIKE 'GEO-%' AND "isOnline" <> (substring("licensePlate" FROM 5)::int <= $1)`,
      [count],
    );
    await client.query(
      `UPDATE "DriverProfiles" SET "isOnline" = $1 WHERE "licensePlate" LIKE 'PAIR-%'`,
      [pairsOnline],
    );
    await client.query(`ANALYZE "DriverProfiles"`);
  });
}

/** The user ids of `count` online geo drivers, chosen at random (their positions are random too). */
export async function geoDriverIds(url: string, count: number): Promise<number[]> {
  const { rows } = await withSql(url, (client) =>
    client.query<{ userId: number }>(
      `SELECT "userId" FROM "DriverProfiles" WHERE "licensePlate" LIKE 'GEO-%' AND "isOnline"
       ORDER BY random() LIMIT $1`,
      [count],
    ),
  );
  return rows.map((row) => row.userId);
}

/** Tokens of `count` online geo drivers, chosen at random. */
export async function geoDriverTokens(
  url: string,
  secret: string,
  accounts: Accounts,
  count: number,
): Promise<string[]> {
  const ids = await geoDriverIds(url, count);
  return ids.map((userId) => signToken(secret, userId, accounts.driverRoleId));
}

/** The bench riders' rides, gone: each ride scenario starts with no rider on an active ride. */
export async function clearBenchRides(url: string): Promise<void> {
  await withSql(url, (client) =>
    client.query(
      `DELETE FROM "RideRequests" WHERE "riderId" IN
         (SELECT id FROM "Users" WHERE username LIKE 'bench-%')`,
    ),
  );
}

export interface RealtimeAccounts {
  /** Online, free, fresh, of the default ride type, within about 2 km of the offer point. */
  drivers: string[];
  /** Riders who request rides at the offer point. */
  riders: string[];
  /** Riders and drivers for rides under way, the drivers online at the location point. */
  pairs: { rider: string; driver: string }[];
}

/**
 * The realtime scenarios' accounts, named `bench-rt-…` (so clearBenchRides clears their rides).
 * Socket.IO rooms are `user:<id>` and the machine's Redis may be shared with other runs (tests,
 * other benches): ids far from 1 keep their events from reaching our sockets, and ours theirs.
 */
export async function seedRealtime(
  url: string,
  secret: string,
  accounts: Accounts,
  sizes: { drivers: number; riders: number; pairs: number },
  offerPoint: { latitude: number; longitude: number },
  locationPoint: { latitude: number; longitude: number },
): Promise<RealtimeAccounts> {
  return withSql(url, async (client) => {
    let next = 1_000_000 + randomInt(1_000_000_000);
    const insert = async (prefix: string, count: number, role: number) => {
      const from = next + 1;
      next += count;
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO "Users" (id, username, password, "roleId", "createdAt", "updatedAt")
         SELECT n, $1 || n, '!', $2, now(), now() FROM generate_series($3::int, $4::int) n
         RETURNING id`,
        [prefix, role, from, next],
      );
      return rows.map((row) => row.id).sort((a, b) => a - b);
    };
    const drivers = await insert('bench-rt-driver-', sizes.drivers, accounts.driverRoleId);
    const riders = await insert('bench-rt-rider-', sizes.riders, accounts.riderRoleId);
    const pairRiders = await insert('bench-rt-pair-rider-', sizes.pairs, accounts.riderRoleId);
    const pairDrivers = await insert('bench-rt-pair-driver-', sizes.pairs, accounts.driverRoleId);
    // ±0.015° is at most about 2 km from the point: well inside the 5 km offer radius.
    await client.query(
      `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline",
         "serviceTypeId", latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
       SELECT id, 'Toyota', 'Prius', 'RT-' || id, true, $1,
         $2 + (random() - 0.5) * 0.03, $3 + (random() - 0.5) * 0.03, now() + interval '1 day',
         now(), now()
       FROM unnest($4::int[]) id`,
      [DEFAULT_SERVICE_TYPE.id, offerPoint.latitude, offerPoint.longitude, drivers],
    );
    await client.query(
      `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline",
         "serviceTypeId", latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
       SELECT id, 'Toyota', 'Prius', 'RTP-' || id, true, $1, $2, $3, now() + interval '1 day',
         now(), now()
       FROM unnest($4::int[]) id`,
      [DEFAULT_SERVICE_TYPE.id, locationPoint.latitude, locationPoint.longitude, pairDrivers],
    );
    await client.query(`ANALYZE "Users"; ANALYZE "DriverProfiles"`);
    const rider = (id: number) => signToken(secret, id, accounts.riderRoleId);
    const driver = (id: number) => signToken(secret, id, accounts.driverRoleId);
    return {
      drivers: drivers.map(driver),
      riders: riders.map(rider),
      pairs: pairRiders.map((id, i) => ({ rider: rider(id), driver: driver(pairDrivers[i]) })),
    };
  });
}
