import type { MigrationContext } from '../migration';

/**
 * A driver's latest reported position. Both coordinates or neither, within range. The GiST index
 * covers online drivers only: those are the ones matching ever looks for.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`ALTER TABLE "DriverProfiles"
    ADD COLUMN latitude DOUBLE PRECISION,
    ADD COLUMN longitude DOUBLE PRECISION,
    ADD COLUMN "locationUpdatedAt" TIMESTAMP WITH TIME ZONE,
    ADD CONSTRAINT "DriverProfiles_location_check" CHECK (
      (latitude IS NULL AND longitude IS NULL AND "locationUpdatedAt" IS NULL)
      OR (latitude IS NOT NULL AND longitude IS NOT NULL AND "locationUpdatedAt" IS NOT NULL
          AND latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180))`);
  await query(`CREATE INDEX "DriverProfiles_online_location_gist" ON "DriverProfiles"
    USING gist (ll_to_earth(latitude, longitude)) WHERE "isOnline" AND latitude IS NOT NULL`);
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`DROP INDEX "DriverProfiles_online_location_gist"`);
  await query(`ALTER TABLE "DriverProfiles"
    DROP CONSTRAINT "DriverProfiles_location_check",
    DROP COLUMN latitude, DROP COLUMN longitude, DROP COLUMN "locationUpdatedAt"`);
}
