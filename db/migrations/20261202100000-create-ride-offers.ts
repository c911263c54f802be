import type { MigrationContext } from '../migration';

/**
 * Ranked dispatch: the offers of each ride to drivers, and the ride's place in its search.
 *
 * - "One live offer per driver": partial unique index on driverId among live offers.
 * - "One winner per ride": partial unique index on rideId among accepted offers.
 * - A driver is offered a ride once: unique (rideId, driverId) among offers that did not end by
 *   withdrawal (a withdrawn offer ended through nobody's choice; the driver may be asked again if
 *   the ride comes back, e.g. after a release).
 * - RideRequests.dispatchStep: the index into DISPATCH_RADIUS_STEPS_KM the search has reached;
 *   dispatchBatch: how many batches went out. Both belong to the ride's current REQUESTED period
 *   and are reset on release.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`CREATE TABLE "RideOffers" (
    id SERIAL PRIMARY KEY,
    "rideId" INTEGER NOT NULL REFERENCES "RideRequests" (id) ON UPDATE CASCADE ON DELETE CASCADE,
    "driverId" INTEGER NOT NULL REFERENCES "Users" (id) ON UPDATE CASCADE ON DELETE CASCADE,
    batch SMALLINT NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'live',
    "distanceMeters" DOUBLE PRECISION NOT NULL,
    "offeredAt" TIMESTAMP WITH TIME ZONE NOT NULL,
    "expiresAt" TIMESTAMP WITH TIME ZONE NOT NULL,
    "endedAt" TIMESTAMP WITH TIME ZONE,
    CONSTRAINT "RideOffers_status_check"
      CHECK (status IN ('live', 'accepted', 'declined', 'expired', 'withdrawn', 'released')),
    CONSTRAINT "RideOffers_ended_check" CHECK ((status = 'live') = ("endedAt" IS NULL)),
    CONSTRAINT "RideOffers_expiry_check" CHECK ("expiresAt" > "offeredAt"))`);
  await query(`CREATE UNIQUE INDEX "RideOffers_one_live_per_driver" ON "RideOffers" ("driverId")
    WHERE status = 'live'`);
  await query(`CREATE UNIQUE INDEX "RideOffers_one_winner_per_ride" ON "RideOffers" ("rideId")
    WHERE status = 'accepted'`);
  await query(`CREATE UNIQUE INDEX "RideOffers_once_per_driver_and_ride"
    ON "RideOffers" ("rideId", "driverId") WHERE status <> 'withdrawn'`);
  // The sweep of expired offers reads live offers by expiry; standing reads a driver's history.
  await query(`CREATE INDEX "RideOffers_live_expiry" ON "RideOffers" ("expiresAt")
    WHERE status = 'live'`);
  await query(`CREATE INDEX "RideOffers_driver_history" ON "RideOffers" ("driverId", "offeredAt")`);
  await query(`ALTER TABLE "RideRequests"
    ADD COLUMN "dispatchStep" SMALLINT NOT NULL DEFAULT 0,
    ADD COLUMN "dispatchBatch" SMALLINT NOT NULL DEFAULT 0`);
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`ALTER TABLE "RideRequests" DROP COLUMN "dispatchStep", DROP COLUMN "dispatchBatch"`);
  await query(`DROP TABLE "RideOffers"`);
}
