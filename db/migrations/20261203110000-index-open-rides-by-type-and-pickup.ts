import type { MigrationContext } from '../migration';

/**
 * Open rides near a driver are always of the driver's service type. With the type in the GiST
 * index beside the pickup (`btree_gist` gives integers a GiST operator class; like `cube` it ships
 * with PostgreSQL and is a trusted extension), a nearest-first scan reads only that type's rides,
 * in order of distance, and stops at the page's limit: a handful of index entries instead of every
 * open ride in the circle, whichever types they are. This index replaces the pickup-only one.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query('CREATE EXTENSION IF NOT EXISTS btree_gist');
  await query(`CREATE INDEX "RideRequests_requested_type_pickup_gist" ON "RideRequests"
    USING gist ("serviceTypeId", ll_to_earth("pickupLatitude", "pickupLongitude"))
    WHERE status = 'REQUESTED'`);
  await query(`DROP INDEX "RideRequests_requested_pickup_gist"`);
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`CREATE INDEX "RideRequests_requested_pickup_gist" ON "RideRequests"
    USING gist (ll_to_earth("pickupLatitude", "pickupLongitude")) WHERE status = 'REQUESTED'`);
  await query(`DROP INDEX "RideRequests_requested_type_pickup_gist"`);
  await query('DROP EXTENSION IF EXISTS btree_gist');
}
