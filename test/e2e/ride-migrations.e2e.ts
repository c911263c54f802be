/**
 * The ride migrations on data: earthdistance, the ride lifecycle columns (serviceType enum →
 * serviceTypeId, one active ride per rider and per driver) and driver locations.
 */
import type { Sequelize } from 'sequelize';
import type { Umzug } from 'umzug';
import {
  LEGACY_SERVICE_TYPE_NAMES,
  type LegacyServiceType,
  REFERENCE_SERVICE_TYPES,
  type ReferenceServiceType,
} from '../../src/common/built-ins';
import { withClient } from '../support/postgres';
import {
  onDatabaseMigratedTo,
  query,
  recordedMigrations,
  withMigrator,
} from '../support/migrations';

const ALIGN = '20261125130000-align-original-service-types.js';
const EARTHDISTANCE = '20261125140000-enable-earthdistance.js';
const EVOLVE_RIDES = '20261125141000-evolve-ride-requests.js';
const DRIVER_LOCATION = '20261125142000-add-driver-location.js';
const OPEN_RIDES_INDEX = '20261203110000-index-open-rides-by-type-and-pickup.js';
const EARTH_POSITIONS = '20261204100000-store-driver-earth-positions.js';

/** The original server's ride classes and the service types they are named after. */
type LegacyClass = LegacyServiceType;
type TypeName = ReferenceServiceType['name'];
const LEGACY_CLASSES = LEGACY_SERVICE_TYPE_NAMES as Record<LegacyClass, TypeName>;

/** baseFare, perMileRate, perMinuteRate, maxPassengers of the reference service types. */
const REFERENCE_FARES = Object.fromEntries(
  REFERENCE_SERVICE_TYPES.map((type) => [
    type.name,
    [type.baseFare, type.perMileRate, type.perMinuteRate, type.maxPassengers],
  ]),
) as Record<TypeName, [number, number, number, number]>;

const ACTIVE_STATUSES = ['REQUESTED', 'ACCEPTED', 'ARRIVING', 'IN_PROGRESS'];

/** A fresh database migrated to `to`, handed over with its migrator. */
function migratedTo(
  to: string,
  work: (url: string, migrator: Umzug<Sequelize>) => Promise<void>,
): Promise<void> {
  return onDatabaseMigratedTo(to, (url) => withMigrator(url, (migrator) => work(url, migrator)));
}

async function insertReturningId(url: string, sql: string, params: unknown[]): Promise<number> {
  const [row] = await query<{ id: number }>(url, `${sql} RETURNING id`, params);
  return row.id;
}

async function columnsOf(url: string, table: string): Promise<Record<string, string>> {
  const rows = await query<{ column_name: string; udt_name: string }>(
    url,
    `SELECT column_name, udt_name FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1`,
    [table],
  );
  return Object.fromEntries(rows.map((row) => [row.column_name, row.udt_name]));
}

/** The plan PostgreSQL picks for `sql` when it may not scan whole tables. */
function planOf(url: string, sql: string): Promise<string> {
  return withClient(url, async (client) => {
    await client.query('SET enable_seqscan = off');
    const result = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`);
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  });
}

async function indexNames(url: string): Promise<string[]> {
  const rows = await query<{ indexname: string }>(
    url,
    `SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
  );
  return rows.map((row) => row.indexname);
}

// --- The original server's data (the schema as of ALIGN) ---

async function insertRoles(url: string): Promise<void> {
  await query(
    url,
    `INSERT INTO "Roles" (id, name, "createdAt", "updatedAt")
     VALUES (1, 'rider', now(), now()), (2, 'driver', now(), now()), (3, 'admin', now(), now())`,
  );
}

let userCounter = 0;

function insertUser(url: string, roleId: 1 | 2): Promise<number> {
  userCounter += 1;
  return insertReturningId(
    url,
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
     VALUES ($1, 'hash', $2, now(), now())`,
    [`${roleId === 1 ? 'rider' : 'driver'}-${userCounter}`, roleId],
  );
}

function insertServiceType(url: string, name: string, fares: number[]): Promise<number> {
  return insertReturningId(
    url,
    `INSERT INTO "ServiceTypes"
       (name, "baseFare", "perMileRate", "perMinuteRate", "maxPassengers", "isActive", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, true, now(), now())`,
    [name, ...fares],
  );
}

/** Reference service types by name, inserted in the given order (so their ids follow it). */
async function insertReferenceTypes(
  url: string,
  names: TypeName[],
): Promise<Partial<Record<TypeName, number>>> {
  const ids: Partial<Record<TypeName, number>> = {};
  for (const name of names) ids[name] = await insertServiceType(url, name, REFERENCE_FARES[name]);
  return ids;
}

/** A driver user with a vehicle of that service type. */
async function insertDriver(url: string, serviceTypeId: number): Promise<number> {
  const userId = await insertUser(url, 2);
  await query(
    url,
    `INSERT INTO "DriverProfiles"
       ("userId", make, model, "licensePlate", "isOnline", "serviceTypeId", "createdAt", "updatedAt")
     VALUES ($1, 'Toyota', 'Prius', $2, false, $3, now(), now())`,
    [userId, `PLATE-${userId}`, serviceTypeId],
  );
  return userId;
}

interface LegacyRide {
  riderId: number | null;
  driverId?: number | null;
  status: string;
  serviceType: LegacyClass;
  createdAt: string;
  /** null for a ride the original server stored without a pickup. */
  pickupLatitude?: number | null;
}

let rideCounter = 0;

/** A ride in the original server's shape; returns its stored row. */
async function insertLegacyRide(url: string, ride: LegacyRide): Promise<Record<string, unknown>> {
  rideCounter += 1;
  const offset = rideCounter / 100;
  const [row] = await query(
    url,
    `INSERT INTO "RideRequests" ("riderId", "driverId", "pickupLatitude", "pickupLongitude",
       "pickupAddress", "destinationLatitude", "destinationLongitude", "destinationAddress",
       status, "serviceType", "estimatedFare", "createdAt", "updatedAt")
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING *`,
    [
      ride.riderId,
      ride.driverId ?? null,
      ride.pickupLatitude === undefined ? 37.7 + offset : ride.pickupLatitude,
      -122.4 - offset,
      `${rideCounter} Pickup St`,
      37.8 + offset,
      -122.2 - offset,
      `${rideCounter} Destination Ave`,
      ride.status,
      ride.serviceType,
      (10 + rideCounter).toFixed(2),
      ride.createdAt,
    ],
  );
  return row;
}

// --- Rows in the migrated shape ---

interface Ride {
  riderId: number;
  driverId?: number | null;
  status: string;
  serviceTypeId: number;
}

function insertRide(url: string, ride: Ride): Promise<number> {
  return insertReturningId(
    url,
    `INSERT INTO "RideRequests" ("riderId", "driverId", "pickupLatitude", "pickupLongitude",
       "pickupAddress", "destinationLatitude", "destinationLongitude", "destinationAddress",
       status, "serviceTypeId", "createdAt", "updatedAt")
     VALUES ($1, $2, 37.7749, -122.4194, 'here', 37.8044, -122.2712, 'there', $3, $4, now(), now())`,
    [ride.riderId, ride.driverId ?? null, ride.status, ride.serviceTypeId],
  );
}

describe('the ride migrations on the original server’s rides', () => {
  it('maps every ride class to its service type by name and keeps everything else', () =>
    migratedTo(ALIGN, async (url, migrator) => {
      await insertRoles(url);
      // Inserted out of order, so that no service type has the id of its class's position.
      const types = await insertReferenceTypes(url, [
        'SwiftRide Black',
        'SwiftRide X',
        'SwiftRide SUV',
      ]);
      const [riderA, riderB, riderC] = [
        await insertUser(url, 1),
        await insertUser(url, 1),
        await insertUser(url, 1),
      ];
      const driverX = await insertDriver(url, types['SwiftRide X']!);
      const driverSuv = await insertDriver(url, types['SwiftRide SUV']!);
      const driverBlack = await insertDriver(url, types['SwiftRide Black']!);
      const legacy = [
        await insertLegacyRide(url, {
          riderId: riderA,
          driverId: driverX,
          status: 'COMPLETED',
          serviceType: 'SWIFTRIDE_X',
          createdAt: '2026-01-03T08:15:00.000Z',
        }),
        await insertLegacyRide(url, {
          riderId: riderA,
          status: 'REQUESTED',
          serviceType: 'SWIFTRIDE_SUV',
          createdAt: '2026-02-10T19:45:30.000Z',
        }),
        await insertLegacyRide(url, {
          riderId: riderB,
          driverId: driverBlack,
          status: 'IN_PROGRESS',
          serviceType: 'SWIFTRIDE_BLACK',
          createdAt: '2026-02-11T06:00:00.000Z',
        }),
        await insertLegacyRide(url, {
          riderId: riderC,
          driverId: driverSuv,
          status: 'CANCELLED',
          serviceType: 'SWIFTRIDE_SUV',
          createdAt: '2025-12-24T23:59:59.000Z',
        }),
        await insertLegacyRide(url, {
          riderId: riderC,
          driverId: driverX,
          status: 'ACCEPTED',
          serviceType: 'SWIFTRIDE_X',
          createdAt: '2026-02-12T12:00:00.000Z',
        }),
      ];

      await migrator.up();

      const rides = await query(
        url,
        `SELECT id, "riderId", "driverId", "pickupLatitude", "pickupLongitude", "pickupAddress",
           "destinationLatitude", "destinationLongitude", "destinationAddress", status,
           "estimatedFare", "createdAt", "requestedAt", "serviceTypeId", "cancelledBy"
         FROM "RideRequests" ORDER BY id`,
      );
      expect(rides).toEqual(
        legacy.map((old) => ({
          id: old.id,
          riderId: old.riderId,
          driverId: old.driverId,
          pickupLatitude: old.pickupLatitude,
          pickupLongitude: old.pickupLongitude,
          pickupAddress: old.pickupAddress,
          destinationLatitude: old.destinationLatitude,
          destinationLongitude: old.destinationLongitude,
          destinationAddress: old.destinationAddress,
          status: old.status,
          estimatedFare: old.estimatedFare,
          createdAt: old.createdAt,
          requestedAt: old.createdAt,
          serviceTypeId: types[LEGACY_CLASSES[old.serviceType as LegacyClass]],
          cancelledBy: null,
        })),
      );
      expect(await columnsOf(url, 'RideRequests')).not.toHaveProperty('serviceType');
      expect(
        await query(url, `SELECT 1 FROM pg_type WHERE typname = 'enum_RideRequests_serviceType'`),
      ).toEqual([]);
      // Every class had its service type: none was added.
      expect(await query(url, `SELECT id, name FROM "ServiceTypes" ORDER BY id`)).toEqual(
        Object.entries(types)
          .map(([name, id]) => ({ id, name }))
          .sort((a, b) => a.id! - b.id!),
      );
    }));

  it('creates a missing service type with the reference fares for a ride class in use', () =>
    migratedTo(ALIGN, async (url, migrator) => {
      await insertRoles(url);
      // No "SwiftRide SUV" and no "SwiftRide Black"; only SUV rides exist.
      const { 'SwiftRide X': xId } = await insertReferenceTypes(url, ['SwiftRide X']);
      const rider = await insertUser(url, 1);
      const otherRider = await insertUser(url, 1);
      const driver = await insertDriver(url, xId!);
      const suvRide = await insertLegacyRide(url, {
        riderId: rider,
        driverId: driver,
        status: 'COMPLETED',
        serviceType: 'SWIFTRIDE_SUV',
        createdAt: '2026-01-05T10:00:00.000Z',
      });
      const xRide = await insertLegacyRide(url, {
        riderId: otherRider,
        status: 'REQUESTED',
        serviceType: 'SWIFTRIDE_X',
        createdAt: '2026-01-06T10:00:00.000Z',
      });

      await migrator.up();

      const created = await query(
        url,
        `SELECT id, name, "baseFare", "perMileRate", "perMinuteRate", "maxPassengers", "isActive"
         FROM "ServiceTypes" WHERE name = 'SwiftRide SUV'`,
      );
      const [base, perMile, perMinute, seats] = REFERENCE_FARES['SwiftRide SUV'];
      expect(created).toEqual([
        {
          id: expect.any(Number),
          name: 'SwiftRide SUV',
          baseFare: base.toFixed(2),
          perMileRate: perMile.toFixed(2),
          perMinuteRate: perMinute.toFixed(2),
          maxPassengers: seats,
          isActive: true,
        },
      ]);
      expect(
        await query(url, `SELECT id, "serviceTypeId" FROM "RideRequests" ORDER BY id`),
      ).toEqual([
        { id: suvRide.id, serviceTypeId: created[0].id },
        { id: xRide.id, serviceTypeId: xId },
      ]);
      // A class no ride uses gets no service type.
      expect(
        await query(url, `SELECT name FROM "ServiceTypes" WHERE name = 'SwiftRide Black'`),
      ).toEqual([]);
    }));

  it('keeps a trip under way over a newer request or acceptance', () =>
    migratedTo(ALIGN, async (url, migrator) => {
      await insertRoles(url);
      const { 'SwiftRide X': xId } = await insertReferenceTypes(url, ['SwiftRide X']);
      const [rider, otherRider] = [await insertUser(url, 1), await insertUser(url, 1)];
      const driver = await insertDriver(url, xId!);
      const ride = (riderId: number, status: string, createdAt: string, driverId?: number) =>
        insertLegacyRide(url, { riderId, driverId, status, serviceType: 'SWIFTRIDE_X', createdAt });

      const underWay = await ride(rider, 'IN_PROGRESS', '2026-01-02T09:00:00Z', driver);
      const laterRequest = await ride(rider, 'REQUESTED', '2026-01-02T09:30:00Z');
      const laterAcceptance = await ride(otherRider, 'ACCEPTED', '2026-01-02T09:40:00Z', driver);

      await migrator.up();

      expect(
        await query(url, `SELECT id, status, "cancelReason" FROM "RideRequests" ORDER BY id`),
      ).toEqual([
        { id: underWay.id, status: 'IN_PROGRESS', cancelReason: null },
        { id: laterRequest.id, status: 'CANCELLED', cancelReason: 'superseded' },
        { id: laterAcceptance.id, status: 'CANCELLED', cancelReason: 'superseded' },
      ]);
    }));

  it('keeps the newest of a rider’s or a driver’s active rides and cancels the older ones', () =>
    migratedTo(ALIGN, async (url, migrator) => {
      await insertRoles(url);
      const { 'SwiftRide X': xId } = await insertReferenceTypes(url, [
        'SwiftRide X',
        'SwiftRide SUV',
        'SwiftRide Black',
      ]);
      const [twice, passengerOne, passengerTwo, single, newcomer] = [
        await insertUser(url, 1),
        await insertUser(url, 1),
        await insertUser(url, 1),
        await insertUser(url, 1),
        await insertUser(url, 1),
      ];
      const busyDriver = await insertDriver(url, xId!);
      const otherDriver = await insertDriver(url, xId!);
      const ride = (riderId: number, status: string, createdAt: string, driverId?: number) =>
        insertLegacyRide(url, { riderId, driverId, status, serviceType: 'SWIFTRIDE_X', createdAt });

      const finishedEarlier = await ride(twice, 'COMPLETED', '2026-01-01T09:00:00Z', otherDriver);
      const olderRequest = await ride(twice, 'REQUESTED', '2026-01-02T09:00:00Z');
      const newerRequest = await ride(twice, 'REQUESTED', '2026-01-02T09:05:00Z');
      const olderAccepted = await ride(passengerOne, 'ACCEPTED', '2026-01-03T09:00Z', busyDriver);
      const newerAccepted = await ride(passengerTwo, 'ACCEPTED', '2026-01-03T09:10Z', busyDriver);
      const onlyRequest = await ride(single, 'REQUESTED', '2026-01-04T09:00:00Z');

      await migrator.up();

      const rows = await query(
        url,
        `SELECT id, status, "cancelledBy", "cancelReason", "cancelledAt" FROM "RideRequests"
         ORDER BY id`,
      );
      const kept = (row: Record<string, unknown>) => ({
        id: row.id,
        status: row.status,
        cancelledBy: null,
        cancelReason: null,
        cancelledAt: null,
      });
      const superseded = (row: Record<string, unknown>) => ({
        id: row.id,
        status: 'CANCELLED',
        cancelledBy: 'system',
        cancelReason: 'superseded',
        cancelledAt: expect.any(Date),
      });
      expect(rows).toEqual([
        kept(finishedEarlier),
        superseded(olderRequest),
        kept(newerRequest),
        superseded(olderAccepted),
        kept(newerAccepted),
        kept(onlyRequest),
      ]);

      const indexes = await indexNames(url);
      expect(indexes).toEqual(
        expect.arrayContaining([
          'RideRequests_one_active_per_rider',
          'RideRequests_one_assigned_per_driver',
        ]),
      );
      await expect(
        insertRide(url, { riderId: twice, status: 'REQUESTED', serviceTypeId: xId! }),
      ).rejects.toMatchObject({ code: '23505', constraint: 'RideRequests_one_active_per_rider' });
      await expect(
        insertRide(url, {
          riderId: newcomer,
          driverId: busyDriver,
          status: 'ACCEPTED',
          serviceTypeId: xId!,
        }),
      ).rejects.toMatchObject({
        code: '23505',
        constraint: 'RideRequests_one_assigned_per_driver',
      });
      // Finished rides are not limited, and a free driver can still be assigned.
      await insertRide(url, { riderId: twice, status: 'COMPLETED', serviceTypeId: xId! });
      await insertRide(url, {
        riderId: newcomer,
        driverId: otherDriver,
        status: 'ACCEPTED',
        serviceTypeId: xId!,
      });
      const active = await query<{ riderId: number; n: string }>(
        url,
        `SELECT "riderId", count(*) AS n FROM "RideRequests" WHERE status = ANY($1)
         GROUP BY "riderId" HAVING count(*) > 1`,
        [ACTIVE_STATUSES],
      );
      expect(active).toEqual([]);
    }));

  it('stops, naming the rides, at a ride without a pickup, and changes nothing', () =>
    migratedTo(ALIGN, async (url, migrator) => {
      await insertRoles(url);
      await insertReferenceTypes(url, ['SwiftRide X', 'SwiftRide SUV', 'SwiftRide Black']);
      // The original server's database may not have had these NOT NULLs.
      await query(url, `ALTER TABLE "RideRequests" ALTER COLUMN "riderId" DROP NOT NULL`);
      await query(url, `ALTER TABLE "RideRequests" ALTER COLUMN "pickupLatitude" DROP NOT NULL`);
      const rider = await insertUser(url, 1);
      const sound = await insertLegacyRide(url, {
        riderId: rider,
        status: 'COMPLETED',
        serviceType: 'SWIFTRIDE_SUV',
        createdAt: '2026-01-01T00:00:00Z',
      });
      const riderless = await insertLegacyRide(url, {
        riderId: null,
        status: 'REQUESTED',
        serviceType: 'SWIFTRIDE_X',
        createdAt: '2026-01-02T00:00:00Z',
      });
      const nowhere = await insertLegacyRide(url, {
        riderId: rider,
        status: 'CANCELLED',
        serviceType: 'SWIFTRIDE_BLACK',
        createdAt: '2026-01-03T00:00:00Z',
        pickupLatitude: null,
      });
      await migrator.up({ to: EARTHDISTANCE });
      const before = {
        recorded: await recordedMigrations(url),
        columns: await columnsOf(url, 'RideRequests'),
        rides: await query(url, `SELECT * FROM "RideRequests" ORDER BY id`),
        types: await query(url, `SELECT * FROM "ServiceTypes" ORDER BY id`),
      };

      const failure = await migrator.up().then(
        () => undefined,
        (error: Error) => error,
      );

      expect(failure).toBeInstanceOf(Error);
      expect(String(failure)).toMatch(new RegExp(`RideRequests ${nowhere.id} have no coordinates`));
      expect(before.recorded.at(-1)).toBe(EARTHDISTANCE);
      expect({
        recorded: await recordedMigrations(url),
        columns: await columnsOf(url, 'RideRequests'),
        rides: await query(url, `SELECT * FROM "RideRequests" ORDER BY id`),
        types: await query(url, `SELECT * FROM "ServiceTypes" ORDER BY id`),
      }).toEqual(before);
      expect(before.columns).toHaveProperty('serviceType', 'enum_RideRequests_serviceType');

      // Once the ride is seen to, migrating again succeeds; the riderless one is repaired.
      await query(url, `DELETE FROM "RideRequests" WHERE id = $1`, [nowhere.id]);
      expect(
        (await migrator.up({ to: DRIVER_LOCATION })).map((migration) => migration.name),
      ).toEqual([EVOLVE_RIDES, DRIVER_LOCATION]);
      expect(await query(url, `SELECT id FROM "RideRequests" ORDER BY id`)).toEqual([
        { id: sound.id },
        { id: riderless.id },
      ]);
    }));
});

describe('migrating the ride migrations down', () => {
  it('gives back the ride classes and driver profiles, and migrates up again', () =>
    migratedTo(ALIGN, async (url, migrator) => {
      await insertRoles(url);
      const types = await insertReferenceTypes(url, [
        'SwiftRide SUV',
        'SwiftRide Black',
        'SwiftRide X',
      ]);
      const riders = [
        await insertUser(url, 1),
        await insertUser(url, 1),
        await insertUser(url, 1),
        await insertUser(url, 1),
      ];
      const drivers = [
        await insertDriver(url, types['SwiftRide X']!),
        await insertDriver(url, types['SwiftRide SUV']!),
        await insertDriver(url, types['SwiftRide Black']!),
      ];
      const legacy = [
        await insertLegacyRide(url, {
          riderId: riders[0],
          driverId: drivers[0],
          status: 'COMPLETED',
          serviceType: 'SWIFTRIDE_X',
          createdAt: '2026-01-01T10:00:00Z',
        }),
        await insertLegacyRide(url, {
          riderId: riders[1],
          driverId: drivers[1],
          status: 'ACCEPTED',
          serviceType: 'SWIFTRIDE_SUV',
          createdAt: '2026-01-02T10:00:00Z',
        }),
        await insertLegacyRide(url, {
          riderId: riders[2],
          status: 'REQUESTED',
          serviceType: 'SWIFTRIDE_BLACK',
          createdAt: '2026-01-03T10:00:00Z',
        }),
        await insertLegacyRide(url, {
          riderId: riders[0],
          driverId: drivers[2],
          status: 'CANCELLED',
          serviceType: 'SWIFTRIDE_BLACK',
          createdAt: '2026-01-04T10:00:00Z',
        }),
      ];
      await migrator.up();

      // Written after the migration: a service type the original server did not know, a location.
      const green = await insertServiceType(url, 'SwiftRide Green', [3, 1.5, 0.3, 4]);
      const greenRide = await insertRide(url, {
        riderId: riders[3],
        driverId: drivers[0],
        status: 'COMPLETED',
        serviceTypeId: green,
      });
      await query(
        url,
        `UPDATE "DriverProfiles" SET "isOnline" = true, latitude = 37.77, longitude = -122.42,
           "locationUpdatedAt" = now() WHERE "userId" = $1`,
        [drivers[0]],
      );
      const profilesSql = `SELECT id, "userId", make, model, "licensePlate", "isOnline", "serviceTypeId"
        FROM "DriverProfiles" ORDER BY id`;
      const profiles = await query(url, profilesSql);
      const ridesSql = `SELECT id, "riderId", "driverId", status, "createdAt" FROM "RideRequests"
        ORDER BY id`;
      const rides = await query(url, ridesSql);
      expect(rides).toHaveLength(legacy.length + 1);

      await migrator.down({ to: DRIVER_LOCATION });

      expect((await recordedMigrations(url)).at(-1)).toBe(EVOLVE_RIDES);
      const profileColumns = await columnsOf(url, 'DriverProfiles');
      expect(profileColumns).not.toHaveProperty('latitude');
      expect(profileColumns).not.toHaveProperty('longitude');
      expect(profileColumns).not.toHaveProperty('locationUpdatedAt');
      expect(await indexNames(url)).not.toContain('DriverProfiles_online_location_gist');
      expect(await query(url, profilesSql)).toEqual(profiles);

      await migrator.down({ to: EVOLVE_RIDES });

      expect((await recordedMigrations(url)).at(-1)).toBe(EARTHDISTANCE);
      const rideColumns = await columnsOf(url, 'RideRequests');
      expect(rideColumns).toHaveProperty('serviceType', 'enum_RideRequests_serviceType');
      expect(rideColumns).not.toHaveProperty('serviceTypeId');
      expect(rideColumns).not.toHaveProperty('requestedAt');
      expect(await query(url, `SELECT id, "serviceType" FROM "RideRequests" ORDER BY id`)).toEqual([
        ...legacy.map((old) => ({ id: old.id, serviceType: old.serviceType })),
        // The original server's default class: it has none for service types added later.
        { id: greenRide, serviceType: 'SWIFTRIDE_X' },
      ]);
      expect(await query(url, ridesSql)).toEqual(rides);
      expect(await query(url, profilesSql)).toEqual(profiles);

      expect(
        (await migrator.up({ to: DRIVER_LOCATION })).map((migration) => migration.name),
      ).toEqual([EVOLVE_RIDES, DRIVER_LOCATION]);

      expect(await query(url, ridesSql)).toEqual(rides);
      expect(
        await query(url, `SELECT id, "serviceTypeId" FROM "RideRequests" ORDER BY id`),
      ).toEqual([
        ...legacy.map((old) => ({
          id: old.id,
          serviceTypeId: types[LEGACY_CLASSES[old.serviceType as LegacyClass]],
        })),
        { id: greenRide, serviceTypeId: types['SwiftRide X'] },
      ]);
      expect(await query(url, profilesSql)).toEqual(profiles);
      expect(
        await query(url, `SELECT latitude, longitude, "locationUpdatedAt" FROM "DriverProfiles"`),
      ).toEqual(drivers.map(() => ({ latitude: null, longitude: null, locationUpdatedAt: null })));
    }));
});

describe('the schema the ride migrations leave', () => {
  const NEAR_SF = `earth_box(ll_to_earth(37.77, -122.42), 5000)`;

  it('has earthdistance and GiST indexes that radius searches use', () =>
    migratedTo(DRIVER_LOCATION, async (url) => {
      const extensions = await query<{ extname: string }>(url, `SELECT extname FROM pg_extension`);
      expect(extensions.map((row) => row.extname)).toEqual(
        expect.arrayContaining(['cube', 'earthdistance']),
      );
      const gist = await query(
        url,
        `SELECT tablename, indexname FROM pg_indexes
         WHERE schemaname = current_schema() AND indexdef LIKE '%USING gist%' ORDER BY indexname`,
      );
      expect(gist).toEqual([
        { tablename: 'DriverProfiles', indexname: 'DriverProfiles_online_location_gist' },
        { tablename: 'RideRequests', indexname: 'RideRequests_requested_pickup_gist' },
      ]);

      const rideSearch = `SELECT id FROM "RideRequests" WHERE status = 'REQUESTED'
        AND ${NEAR_SF} @> ll_to_earth("pickupLatitude", "pickupLongitude")`;
      expect(await planOf(url, rideSearch)).toContain('RideRequests_requested_pickup_gist');
      const driverSearch = `SELECT id FROM "DriverProfiles" WHERE "isOnline" AND latitude IS NOT NULL
        AND ${NEAR_SF} @> ll_to_earth(latitude, longitude)`;
      expect(await planOf(url, driverSearch)).toContain('DriverProfiles_online_location_gist');

      // And the index answers correctly: requested pickups in San Francisco only.
      await insertRoles(url);
      const typeId = await insertServiceType(url, 'SwiftRide X', REFERENCE_FARES['SwiftRide X']);
      const riders = [await insertUser(url, 1), await insertUser(url, 1), await insertUser(url, 1)];
      const inSf = await insertRide(url, {
        riderId: riders[0],
        status: 'REQUESTED',
        serviceTypeId: typeId,
      });
      await insertRide(url, { riderId: riders[1], status: 'COMPLETED', serviceTypeId: typeId });
      const inLa = await insertRide(url, {
        riderId: riders[2],
        status: 'REQUESTED',
        serviceTypeId: typeId,
      });
      await query(
        url,
        `UPDATE "RideRequests" SET "pickupLatitude" = 34.05, "pickupLongitude" = -118.24 WHERE id = $1`,
        [inLa],
      );
      const found = await withClient(url, async (client) => {
        await client.query('SET enable_seqscan = off');
        return (await client.query(rideSearch)).rows;
      });
      expect(found).toEqual([{ id: inSf }]);
    }));

  /** A fully migrated database with one driver and one completed ride of theirs. */
  function withDriverAndRide(
    work: (tools: {
      setLocation: (set: string) => Promise<unknown>;
      updateRide: (set: string) => Promise<unknown>;
      url: string;
      rideId: number;
    }) => Promise<void>,
  ): Promise<void> {
    return migratedTo(DRIVER_LOCATION, async (url) => {
      await insertRoles(url);
      const typeId = await insertServiceType(url, 'SwiftRide X', REFERENCE_FARES['SwiftRide X']);
      const driver = await insertDriver(url, typeId);
      const rider = await insertUser(url, 1);
      const rideId = await insertRide(url, {
        riderId: rider,
        driverId: driver,
        status: 'COMPLETED',
        serviceTypeId: typeId,
      });
      await work({
        url,
        rideId,
        setLocation: (set) =>
          query(url, `UPDATE "DriverProfiles" SET ${set} WHERE "userId" = $1`, [driver]),
        updateRide: (set) => query(url, `UPDATE "RideRequests" SET ${set} WHERE id = $1`, [rideId]),
      });
    });
  }

  const violation = (constraint: string) => ({ code: '23514', constraint });

  it('refuses a driver location with only one of its coordinates', () =>
    withDriverAndRide(async ({ setLocation }) => {
      await expect(
        setLocation(`latitude = 37.77, "locationUpdatedAt" = now()`),
      ).rejects.toMatchObject(violation('DriverProfiles_location_check'));
      await expect(
        setLocation(`longitude = -122.42, "locationUpdatedAt" = now()`),
      ).rejects.toMatchObject(violation('DriverProfiles_location_check'));
    }));

  it('refuses driver coordinates out of range or without a time, and takes valid ones', () =>
    withDriverAndRide(async ({ setLocation }) => {
      await expect(
        setLocation(`latitude = 100, longitude = 0, "locationUpdatedAt" = now()`),
      ).rejects.toMatchObject(violation('DriverProfiles_location_check'));
      await expect(
        setLocation(`latitude = 37.77, longitude = -181, "locationUpdatedAt" = now()`),
      ).rejects.toMatchObject(violation('DriverProfiles_location_check'));
      await expect(setLocation(`latitude = 37.77, longitude = -122.42`)).rejects.toMatchObject(
        violation('DriverProfiles_location_check'),
      );
      await setLocation(`latitude = 90, longitude = -180, "locationUpdatedAt" = now()`);
      await setLocation(`latitude = NULL, longitude = NULL, "locationUpdatedAt" = NULL`);
    }));

  it('refuses ratings outside 1–5 and cancellers other than rider, driver, admin, system', () =>
    withDriverAndRide(async ({ url, rideId, updateRide }) => {
      await expect(updateRide('rating = 0')).rejects.toMatchObject(
        violation('RideRequests_rating_check'),
      );
      await expect(updateRide('rating = 6')).rejects.toMatchObject(
        violation('RideRequests_rating_check'),
      );
      await updateRide('rating = 1');
      await updateRide('rating = 5');
      await expect(updateRide(`"cancelledBy" = 'bob'`)).rejects.toMatchObject(
        violation('RideRequests_cancelledBy_check'),
      );
      for (const canceller of ['rider', 'driver', 'admin', 'system']) {
        await updateRide(`"cancelledBy" = '${canceller}'`);
      }
      expect(
        await query(url, `SELECT rating, "cancelledBy" FROM "RideRequests" WHERE id = $1`, [
          rideId,
        ]),
      ).toEqual([{ rating: 5, cancelledBy: 'system' }]);
    }));
});

describe('the migration that stores drivers’ positions as cubes', () => {
  /** Each driver's stored cube, whether it equals `ll_to_earth` of its coordinates, by user id. */
  const POSITIONS_SQL = `SELECT "userId", "earthPosition"::text AS position,
      "earthPosition" = ll_to_earth(latitude, longitude)::cube AS "sameAsLlToEarth"
    FROM "DriverProfiles" ORDER BY "userId"`;
  const PROFILES_SQL = `SELECT id, "userId", "isOnline", latitude, longitude, "locationUpdatedAt"
    FROM "DriverProfiles" ORDER BY id`;
  const NEAR_SF = `cube_enlarge(ll_to_earth(37.77, -122.42), 5000, 3)`;
  const SEARCH = `SELECT "userId" FROM "DriverProfiles" WHERE "isOnline" AND latitude IS NOT NULL
    AND ${NEAR_SF} @> "earthPosition" ORDER BY "userId"`;

  it('computes them for existing drivers and each later write, uses them, and goes back down', () =>
    migratedTo(OPEN_RIDES_INDEX, async (url, migrator) => {
      await insertRoles(url);
      const typeId = await insertServiceType(url, 'SwiftRide X', REFERENCE_FARES['SwiftRide X']);
      const [inSf, inLa, nowhere] = [
        await insertDriver(url, typeId),
        await insertDriver(url, typeId),
        await insertDriver(url, typeId),
      ];
      const place = (userId: number, latitude: number, longitude: number) =>
        query(
          url,
          `UPDATE "DriverProfiles" SET "isOnline" = true, latitude = $2, longitude = $3,
             "locationUpdatedAt" = now() WHERE "userId" = $1`,
          [userId, latitude, longitude],
        );
      await place(inSf, 37.7749, -122.4194);
      await place(inLa, 34.05, -118.24);
      const profiles = await query(url, PROFILES_SQL);

      expect((await migrator.up({ to: EARTH_POSITIONS })).map((m) => m.name)).toEqual([
        EARTH_POSITIONS,
      ]);

      expect(await query(url, PROFILES_SQL)).toEqual(profiles);
      const positions = await query<{ position: string | null; sameAsLlToEarth: boolean | null }>(
        url,
        POSITIONS_SQL,
      );
      expect(positions.map((row) => row.sameAsLlToEarth)).toEqual([true, true, null]);
      expect(positions[2].position).toBeNull();
      const names = await indexNames(url);
      expect(names).toContain('DriverProfiles_online_earth_position_gist');
      expect(names).not.toContain('DriverProfiles_online_location_gist');
      expect(await planOf(url, SEARCH)).toContain('DriverProfiles_online_earth_position_gist');
      expect(await query(url, SEARCH)).toEqual([{ userId: inSf }]);

      // Later writes: a move, a first position, a position cleared; the cube follows each.
      await place(inLa, 37.78, -122.41);
      await place(nowhere, -33.87, 151.21);
      await query(
        url,
        `UPDATE "DriverProfiles" SET latitude = NULL, longitude = NULL, "locationUpdatedAt" = NULL
         WHERE "userId" = $1`,
        [inSf],
      );
      expect(
        (await query<{ sameAsLlToEarth: boolean | null }>(url, POSITIONS_SQL)).map(
          (row) => row.sameAsLlToEarth,
        ),
      ).toEqual([null, true, true]);
      expect(await query(url, SEARCH)).toEqual([{ userId: inLa }]);
      await expect(
        query(url, `UPDATE "DriverProfiles" SET "earthPosition" = cube(0) WHERE "userId" = $1`, [
          inLa,
        ]),
      ).rejects.toMatchObject({ code: '428C9' });
      const moved = await query(url, PROFILES_SQL);

      await migrator.down({ to: EARTH_POSITIONS });

      expect((await recordedMigrations(url)).at(-1)).toBe(OPEN_RIDES_INDEX);
      expect(await columnsOf(url, 'DriverProfiles')).not.toHaveProperty('earthPosition');
      const before = await indexNames(url);
      expect(before).toContain('DriverProfiles_online_location_gist');
      expect(before).not.toContain('DriverProfiles_online_earth_position_gist');
      expect(await query(url, PROFILES_SQL)).toEqual(moved);

      await migrator.up({ to: EARTH_POSITIONS });
      expect(
        (await query<{ sameAsLlToEarth: boolean | null }>(url, POSITIONS_SQL)).map(
          (row) => row.sameAsLlToEarth,
        ),
      ).toEqual([null, true, true]);
    }));
});
