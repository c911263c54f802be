/** The original Express server's database, as its own migrations left it, for adoption tests. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/configuration';
import { createEmptyDatabase, type TestDatabase } from './database';
import { withClient } from './postgres';

/** What sequelize-cli recorded in the original server's SequelizeMeta. */
export const ORIGINAL_MIGRATIONS = [
  '20260216222120-create-user.js',
  '20260217150451-create-role.js',
  '20260217150640-update-users-add-roleId-remove-role.js',
  '20260217160120-create-driver-profile.js',
  '20260314233728-add-isOnline-to-driverprofiles.js',
  '20260315171310-create-ride-request.js',
  '20260316014749-create-service-type.js',
  '20260316130521-add-serviceTypeId-to-driverProfiles.js',
];

/**
 * The original server's schema, statement by statement as sequelize-cli ran its eight migrations
 * (createTable / addColumn / removeColumn in Sequelize 6's PostgreSQL dialect).
 */
export const ORIGINAL_SCHEMA = [
  `CREATE TABLE "SequelizeMeta" ("name" VARCHAR(255) NOT NULL UNIQUE, PRIMARY KEY ("name"))`,
  `CREATE TABLE "Users" ("id" SERIAL, "username" VARCHAR(255), "password" VARCHAR(255),
     "role" VARCHAR(255), "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
     "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))`,
  `CREATE TABLE "Roles" ("id" SERIAL, "name" VARCHAR(255),
     "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
     PRIMARY KEY ("id"))`,
  `ALTER TABLE "Users" ADD COLUMN "roleId" INTEGER NOT NULL
     REFERENCES "Roles" ("id") ON DELETE RESTRICT ON UPDATE CASCADE`,
  `ALTER TABLE "Users" DROP COLUMN "role"`,
  `CREATE TABLE "DriverProfiles" ("id" SERIAL,
     "userId" INTEGER NOT NULL UNIQUE REFERENCES "Users" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
     "make" VARCHAR(255) NOT NULL, "model" VARCHAR(255) NOT NULL,
     "licensePlate" VARCHAR(255) NOT NULL UNIQUE,
     "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
     "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(), PRIMARY KEY ("id"))`,
  `ALTER TABLE "DriverProfiles" ADD COLUMN "isOnline" BOOLEAN NOT NULL DEFAULT false`,
  `CREATE TYPE "public"."enum_RideRequests_status" AS ENUM
     ('REQUESTED', 'ACCEPTED', 'ARRIVING', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED')`,
  `CREATE TYPE "public"."enum_RideRequests_serviceType" AS ENUM
     ('SWIFTRIDE_X', 'SWIFTRIDE_BLACK', 'SWIFTRIDE_SUV')`,
  `CREATE TABLE "RideRequests" ("id" SERIAL, "riderId" INTEGER, "driverId" INTEGER,
     "pickupLatitude" FLOAT, "pickupLongitude" FLOAT, "pickupAddress" VARCHAR(255),
     "destinationLatitude" FLOAT, "destinationLongitude" FLOAT, "destinationAddress" VARCHAR(255),
     "status" "public"."enum_RideRequests_status" NOT NULL DEFAULT 'REQUESTED',
     "serviceType" "public"."enum_RideRequests_serviceType" NOT NULL DEFAULT 'SWIFTRIDE_X',
     "estimatedFare" DECIMAL, "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL,
     "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY ("id"))`,
  `CREATE TABLE "ServiceTypes" ("id" SERIAL, "name" VARCHAR(255), "baseFare" DECIMAL,
     "perMileRate" DECIMAL, "perMinuteRate" DECIMAL, "maxPassengers" INTEGER, "isActive" BOOLEAN,
     "createdAt" TIMESTAMP WITH TIME ZONE NOT NULL, "updatedAt" TIMESTAMP WITH TIME ZONE NOT NULL,
     PRIMARY KEY ("id"))`,
  `ALTER TABLE "DriverProfiles" ADD COLUMN "serviceTypeId" INTEGER NOT NULL DEFAULT 1
     REFERENCES "ServiceTypes" ("id") ON DELETE RESTRICT ON UPDATE CASCADE`,
];

/** The original server's last migration: what `db:migrate:undo:all` stops at. */
export const ORIGINAL_BASELINE = ORIGINAL_MIGRATIONS[ORIGINAL_MIGRATIONS.length - 1];

/** Our migration names that sort after the original eight, i.e. what adoption must apply. */
export function newerMigrationNames(): string[] {
  return readdirSync(join(__dirname, '..', '..', 'db', 'migrations'))
    .filter((file) => /^\d{14}-[\w-]+\.ts$/.test(file))
    .map((file) => file.replace(/\.ts$/, '.js'))
    .filter((name) => name > ORIGINAL_BASELINE)
    .sort();
}

/** An empty database with the original server's tables and its SequelizeMeta, and no rows. */
export async function createOriginalDatabase(): Promise<TestDatabase> {
  const database = await createEmptyDatabase();
  await withClient(database.url, async (client) => {
    for (const statement of ORIGINAL_SCHEMA) await client.query(statement);
    for (const name of ORIGINAL_MIGRATIONS) {
      await client.query(`INSERT INTO "SequelizeMeta" (name) VALUES ($1)`, [name]);
    }
  });
  return database;
}

/** The API exactly as `npm start` builds it, on an adopted database. */
export async function startAdoptedApp(
  url: string,
  env: Record<string, string> = {},
): Promise<NestFastifyApplication> {
  const app = await createApp(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, ...env }));
  // Listening, so supertest never listens and closes it per request (see createTestApp).
  await app.listen(0, '127.0.0.1');
  return app;
}
