import { BUILT_IN_ROLES, REFERENCE_SERVICE_TYPES, RIDER_ROLE_ID } from '../../src/common/built-ins';
import type { MigrationContext } from '../migration';
import { fitMoney } from '../repair';

const RIDER_ROLE_NAME = BUILT_IN_ROLES.find((role) => role.id === RIDER_ROLE_ID)!.name;
const ACTIVE = `('REQUESTED', 'ACCEPTED', 'ARRIVING', 'IN_PROGRESS')`;
const WITH_DRIVER = `('ACCEPTED', 'ARRIVING', 'IN_PROGRESS')`;
/** How far along an active ride is: a trip under way outranks a newer request. */
const PROGRESS = (ride: string) =>
  `array_position(ARRAY['REQUESTED', 'ACCEPTED', 'ARRIVING', 'IN_PROGRESS']::text[], ${ride}.status::text)`;

/**
 * Rides become the lifecycle the API runs, keeping every existing row:
 * - `serviceTypeId` (→ ServiceTypes) replaces the original `serviceType` enum, backfilled by name;
 *   a ride class with no service type of that name gets one with the reference fares;
 * - a timestamp per step, who cancelled and why, when and why a driver last gave the ride back,
 *   the stored estimate, the final fare, the rider's rating;
 * - `requestedAt`: when the ride last entered REQUESTED (the unanswered-request timer runs from it);
 * - the columns the original server left loose are tightened: money DECIMAL(10,2), missing
 *   addresses become `unknown`, fares below 0 become 0, beyond 99 999 999.99 that amount, NaN
 *   unknown (NULL); a ride without coordinates stops the migration with the ids to look at, rather
 *   than being guessed at;
 * - rides without a rider are kept and given to a placeholder rider account (`unknown-rider`, in
 *   the rider role, a password nothing verifies); those still active are cancelled (by `system`,
 *   reason `rider_unknown`), since nobody could see them through;
 * - riders and drivers are foreign keys (NOT VALID: rows of deleted users are kept as they are,
 *   every new write is checked);
 * - the invariants: one active ride per rider, one ride in progress per driver. Duplicates that
 *   break them are cancelled (reason `superseded`): the ride furthest along stays, the newest of
 *   equals;
 * - indexes for history, drivers' ratings, the expiry sweep, and GiST on pickups of REQUESTED
 *   rides.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string, replacements?: Record<string, unknown>) =>
    sequelize.query(sql, { transaction, replacements });

  const [broken] = (await query(`SELECT id FROM "RideRequests"
    WHERE "pickupLatitude" IS NULL OR "pickupLongitude" IS NULL
       OR "destinationLatitude" IS NULL OR "destinationLongitude" IS NULL ORDER BY id LIMIT 20`)) as [
    { id: number }[],
    unknown,
  ];
  if (broken.length > 0) {
    throw new Error(
      `RideRequests ${broken.map((row) => row.id).join(', ')} have no coordinates; ` +
        'correct or remove them, then migrate again',
    );
  }
  const unknownRider = await giveRiderlessRidesAPlaceholder(query);
  await query(fitMoney('RideRequests', 'estimatedFare'));

  await query(`ALTER TABLE "RideRequests" ADD COLUMN "serviceTypeId" INTEGER
    REFERENCES "ServiceTypes" (id) ON UPDATE CASCADE ON DELETE RESTRICT`);
  for (const type of REFERENCE_SERVICE_TYPES) {
    const { legacyName: legacy, name, baseFare, perMileRate, perMinuteRate, maxPassengers } = type;
    await query(
      `INSERT INTO "ServiceTypes"
         (name, "baseFare", "perMileRate", "perMinuteRate", "maxPassengers", "isActive", "createdAt", "updatedAt")
       SELECT :name, :baseFare, :perMileRate, :perMinuteRate, :maxPassengers, true, now(), now()
       WHERE EXISTS (SELECT 1 FROM "RideRequests" WHERE "serviceType" = :legacy)
         AND NOT EXISTS (SELECT 1 FROM "ServiceTypes" WHERE lower(name) = lower(:name))`,
      { legacy, name, baseFare, perMileRate, perMinuteRate, maxPassengers },
    );
    await query(
      `UPDATE "RideRequests" r SET "serviceTypeId" = t.id FROM "ServiceTypes" t
       WHERE r."serviceType" = :legacy AND lower(t.name) = lower(:name)`,
      { legacy, name },
    );
  }
  await query(`ALTER TABLE "RideRequests"
    ALTER COLUMN "serviceTypeId" SET NOT NULL,
    DROP COLUMN "serviceType"`);
  await query(`DROP TYPE "enum_RideRequests_serviceType"`);

  await query(`UPDATE "RideRequests" SET "pickupAddress" = 'unknown'
    WHERE coalesce(btrim("pickupAddress"), '') = ''`);
  await query(`UPDATE "RideRequests" SET "destinationAddress" = 'unknown'
    WHERE coalesce(btrim("destinationAddress"), '') = ''`);
  await query(`ALTER TABLE "RideRequests"
    ALTER COLUMN "riderId" SET NOT NULL,
    ALTER COLUMN "pickupLatitude" TYPE DOUBLE PRECISION,
    ALTER COLUMN "pickupLatitude" SET NOT NULL,
    ALTER COLUMN "pickupLongitude" TYPE DOUBLE PRECISION,
    ALTER COLUMN "pickupLongitude" SET NOT NULL,
    ALTER COLUMN "destinationLatitude" TYPE DOUBLE PRECISION,
    ALTER COLUMN "destinationLatitude" SET NOT NULL,
    ALTER COLUMN "destinationLongitude" TYPE DOUBLE PRECISION,
    ALTER COLUMN "destinationLongitude" SET NOT NULL,
    ALTER COLUMN "pickupAddress" TYPE VARCHAR(255),
    ALTER COLUMN "pickupAddress" SET NOT NULL,
    ALTER COLUMN "destinationAddress" TYPE VARCHAR(255),
    ALTER COLUMN "destinationAddress" SET NOT NULL,
    ALTER COLUMN "estimatedFare" TYPE DECIMAL(10, 2) USING round("estimatedFare", 2),
    ADD COLUMN "estimatedDistanceMiles" DECIMAL(10, 2),
    ADD COLUMN "estimatedDurationMinutes" DECIMAL(10, 2),
    ADD COLUMN "finalFare" DECIMAL(10, 2),
    ADD COLUMN "requestedAt" TIMESTAMP WITH TIME ZONE,
    ADD COLUMN "acceptedAt" TIMESTAMP WITH TIME ZONE,
    ADD COLUMN "arrivingAt" TIMESTAMP WITH TIME ZONE,
    ADD COLUMN "startedAt" TIMESTAMP WITH TIME ZONE,
    ADD COLUMN "completedAt" TIMESTAMP WITH TIME ZONE,
    ADD COLUMN "cancelledAt" TIMESTAMP WITH TIME ZONE,
    ADD COLUMN "cancelledBy" VARCHAR(16),
    ADD COLUMN "cancelReason" VARCHAR(255),
    ADD COLUMN "releasedAt" TIMESTAMP WITH TIME ZONE,
    ADD COLUMN "releaseReason" VARCHAR(255),
    ADD COLUMN rating SMALLINT,
    ADD COLUMN "ratingComment" VARCHAR(500),
    ADD COLUMN "ratedAt" TIMESTAMP WITH TIME ZONE`);
  await query(`UPDATE "RideRequests" SET "requestedAt" = "createdAt"`);
  await query(`ALTER TABLE "RideRequests"
    ALTER COLUMN "requestedAt" SET NOT NULL,
    ALTER COLUMN "requestedAt" SET DEFAULT now()`);

  if (unknownRider !== undefined) {
    await query(
      `UPDATE "RideRequests" SET status = 'CANCELLED', "cancelledAt" = now(),
         "cancelledBy" = 'system', "cancelReason" = 'rider_unknown'
       WHERE "riderId" = :unknownRider AND status IN ${ACTIVE}`,
      { unknownRider },
    );
  }

  for (const [column, statuses] of [
    ['riderId', ACTIVE],
    ['driverId', WITH_DRIVER],
  ]) {
    await query(`UPDATE "RideRequests" r
      SET status = 'CANCELLED', "cancelledAt" = now(), "cancelledBy" = 'system', "cancelReason" = 'superseded'
      WHERE r.status IN ${statuses} AND EXISTS (SELECT 1 FROM "RideRequests" other
        WHERE other."${column}" = r."${column}" AND other.status IN ${statuses}
          AND (${PROGRESS('other')}, other.id) > (${PROGRESS('r')}, r.id))`);
  }

  await query(`ALTER TABLE "RideRequests"
    ADD CONSTRAINT "RideRequests_riderId_fkey" FOREIGN KEY ("riderId")
      REFERENCES "Users" (id) ON UPDATE CASCADE ON DELETE RESTRICT NOT VALID,
    ADD CONSTRAINT "RideRequests_driverId_fkey" FOREIGN KEY ("driverId")
      REFERENCES "Users" (id) ON UPDATE CASCADE ON DELETE RESTRICT NOT VALID,
    ADD CONSTRAINT "RideRequests_cancelledBy_check"
      CHECK ("cancelledBy" IN ('rider', 'driver', 'admin', 'system')),
    ADD CONSTRAINT "RideRequests_rating_check" CHECK (rating BETWEEN 1 AND 5),
    ADD CONSTRAINT "RideRequests_fares_check"
      CHECK ("estimatedFare" >= 0 AND "finalFare" >= 0),
    ADD CONSTRAINT "RideRequests_driver_when_assigned_check"
      CHECK (status NOT IN ${WITH_DRIVER} OR "driverId" IS NOT NULL) NOT VALID,
    ADD CONSTRAINT "RideRequests_no_driver_when_requested_check"
      CHECK (status <> 'REQUESTED' OR "driverId" IS NULL) NOT VALID`);

  await query(`CREATE UNIQUE INDEX "RideRequests_one_active_per_rider"
    ON "RideRequests" ("riderId") WHERE status IN ${ACTIVE}`);
  await query(`CREATE UNIQUE INDEX "RideRequests_one_assigned_per_driver"
    ON "RideRequests" ("driverId") WHERE status IN ${WITH_DRIVER}`);
  await query(
    `CREATE INDEX "RideRequests_riderId_createdAt_idx" ON "RideRequests" ("riderId", "createdAt")`,
  );
  await query(
    `CREATE INDEX "RideRequests_driverId_createdAt_idx" ON "RideRequests" ("driverId", "createdAt")`,
  );
  await query(`CREATE INDEX "RideRequests_driver_ratings_idx" ON "RideRequests" ("driverId", rating)
    WHERE rating IS NOT NULL`);
  await query(`CREATE INDEX "RideRequests_requested_requestedAt_idx" ON "RideRequests" ("requestedAt")
    WHERE status = 'REQUESTED'`);
  await query(`CREATE INDEX "RideRequests_requested_pickup_gist" ON "RideRequests"
    USING gist (ll_to_earth("pickupLatitude", "pickupLongitude")) WHERE status = 'REQUESTED'`);
}

type Query = (sql: string, replacements?: Record<string, unknown>) => Promise<[unknown, unknown]>;

/**
 * Creates the `unknown-rider` account (`unknown-rider-2`, … if that name is taken) and gives it
 * every ride without a rider. Returns its id, or undefined when every ride has a rider.
 */
async function giveRiderlessRidesAPlaceholder(query: Query): Promise<number | undefined> {
  const [[riderless]] = (await query(
    `SELECT count(*)::int AS count FROM "RideRequests" WHERE "riderId" IS NULL`,
  )) as [{ count: number }[], unknown];
  if (riderless.count === 0) return undefined;
  await query(
    `INSERT INTO "Roles" (name, "createdAt", "updatedAt")
    SELECT :rider, now(), now() WHERE NOT EXISTS (SELECT 1 FROM "Roles" WHERE lower(name) = :rider)`,
    {
      rider: RIDER_ROLE_NAME,
    },
  );
  const [[account]] = (await query(
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
     SELECT c.username, '!',
       (SELECT id FROM "Roles" WHERE lower(name) = :rider ORDER BY id LIMIT 1), now(), now()
     FROM (SELECT n, CASE WHEN n = 1 THEN 'unknown-rider' ELSE 'unknown-rider-' || n END AS username
           FROM generate_series(1, 1000) n) c
     WHERE NOT EXISTS (SELECT 1 FROM "Users" u WHERE lower(u.username) = c.username)
     ORDER BY c.n LIMIT 1
     RETURNING id`,
    { rider: RIDER_ROLE_NAME },
  )) as [{ id: number }[], unknown];
  await query(`UPDATE "RideRequests" SET "riderId" = :id WHERE "riderId" IS NULL`, {
    id: account.id,
  });
  return account.id;
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string, replacements?: Record<string, unknown>) =>
    sequelize.query(sql, { transaction, replacements });
  for (const index of [
    'RideRequests_requested_pickup_gist',
    'RideRequests_requested_requestedAt_idx',
    'RideRequests_driver_ratings_idx',
    'RideRequests_driverId_createdAt_idx',
    'RideRequests_riderId_createdAt_idx',
    'RideRequests_one_assigned_per_driver',
    'RideRequests_one_active_per_rider',
  ]) {
    await query(`DROP INDEX "${index}"`);
  }
  await query(`ALTER TABLE "RideRequests"
    DROP CONSTRAINT "RideRequests_no_driver_when_requested_check",
    DROP CONSTRAINT "RideRequests_driver_when_assigned_check",
    DROP CONSTRAINT "RideRequests_fares_check",
    DROP CONSTRAINT "RideRequests_rating_check",
    DROP CONSTRAINT "RideRequests_cancelledBy_check",
    DROP CONSTRAINT "RideRequests_driverId_fkey",
    DROP CONSTRAINT "RideRequests_riderId_fkey"`);

  await query(`CREATE TYPE "enum_RideRequests_serviceType" AS ENUM
    ('SWIFTRIDE_X', 'SWIFTRIDE_BLACK', 'SWIFTRIDE_SUV')`);
  await query(`ALTER TABLE "RideRequests" ADD COLUMN "serviceType" "enum_RideRequests_serviceType"
    NOT NULL DEFAULT 'SWIFTRIDE_X'`);
  // Rides of service types the original server did not know keep the default class.
  for (const { legacyName: legacy, name } of REFERENCE_SERVICE_TYPES) {
    await query(
      `UPDATE "RideRequests" r SET "serviceType" = :legacy FROM "ServiceTypes" t
       WHERE t.id = r."serviceTypeId" AND lower(t.name) = lower(:name)`,
      { legacy, name },
    );
  }
  await query(`ALTER TABLE "RideRequests"
    DROP COLUMN "serviceTypeId",
    DROP COLUMN "estimatedDistanceMiles",
    DROP COLUMN "estimatedDurationMinutes",
    DROP COLUMN "finalFare",
    DROP COLUMN "requestedAt",
    DROP COLUMN "acceptedAt",
    DROP COLUMN "arrivingAt",
    DROP COLUMN "startedAt",
    DROP COLUMN "completedAt",
    DROP COLUMN "cancelledAt",
    DROP COLUMN "cancelledBy",
    DROP COLUMN "cancelReason",
    DROP COLUMN "releasedAt",
    DROP COLUMN "releaseReason",
    DROP COLUMN rating,
    DROP COLUMN "ratingComment",
    DROP COLUMN "ratedAt"`);
}
