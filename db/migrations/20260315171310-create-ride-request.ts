import type { MigrationContext } from '../migration';

/**
 * The original server's ride requests, with its status and service-type enums. Written in SQL:
 * Sequelize's createTable looks enums up outside the migration's transaction.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`CREATE TYPE "enum_RideRequests_status" AS ENUM
    ('REQUESTED', 'ACCEPTED', 'ARRIVING', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED')`);
  await query(`CREATE TYPE "enum_RideRequests_serviceType" AS ENUM
    ('SWIFTRIDE_X', 'SWIFTRIDE_BLACK', 'SWIFTRIDE_SUV')`);
  await query(`CREATE TABLE "RideRequests" (
    id SERIAL PRIMARY KEY,
    "riderId" INTEGER NOT NULL,
    "driverId" INTEGER,
    "pickupLatitude" DOUBLE PRECISION NOT NULL,
    "pickupLongitude" DOUBLE PRECISION NOT NULL,
    "pickupAddress" VARCHAR(255) NOT NULL,
    "destinationLatitude" DOUBLE PRECISION NOT NULL,
    "destinationLongitude" DOUBLE PRECISION NOT NULL,
    "destinationAddress" VARCHAR(255) NOT NULL,
    status "enum_RideRequests_status" NOT NULL DEFAULT 'REQUESTED',
    "serviceType" "enum_RideRequests_serviceType" NOT NULL DEFAULT 'SWIFTRIDE_X',
    "estimatedFare" DECIMAL(10, 2),
    "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
    "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL)`);
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query('DROP TABLE "RideRequests"');
  await query('DROP TYPE "enum_RideRequests_status"');
  await query('DROP TYPE "enum_RideRequests_serviceType"');
}
