import type { DynamicModule, Type } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { getConnectionToken } from '@nestjs/sequelize';
import { Test, type TestingModule } from '@nestjs/testing';
import { QueryTypes } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { DRIVER_ROLE_ID } from '../../src/common/built-ins';
import { loadConfig } from '../../src/config/configuration';
import { DatabaseModule } from '../../src/database/database.module';
import { MetricsModule } from '../../src/metrics/metrics.module';
import { uniquePlate, uniqueUsername } from './accounts';
import { createMigratedDatabase, type TestDatabase } from './database';

/**
 * Feature modules (stores and services) on a database of their own, without HTTP: the middle
 * tier between unit specs and e2e. Stores are not exported by their modules, so tests fetch them
 * with `get()`, which looks through every module.
 */
export interface ModuleTest {
  module: TestingModule;
  sequelize: Sequelize;
  database: TestDatabase;
  get<T>(type: Type<T>): T;
  /** Rows of a raw SELECT on this database. */
  select<T extends object>(sql: string, replacements?: Record<string, unknown>): Promise<T[]>;
  close(): Promise<void>;
}

export async function createModuleTest(
  imports: (Type<unknown> | DynamicModule)[],
  env: Record<string, string> = {},
): Promise<ModuleTest> {
  const database = await createMigratedDatabase();
  // No dispatcher timer: tests run the dispatcher themselves, with a clock of their choosing.
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DISPATCH_WINDOW_MS: '0',
    DISPATCH_TICK_MS: '0',
    ...env,
  });
  let module: TestingModule | undefined;
  try {
    module = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [() => ({ ...config })],
        }),
        DatabaseModule,
        // Global in the app, like the database: features report to it.
        MetricsModule.forRoot(config.metrics),
        ...imports,
      ],
    }).compile();
    await module.init();
  } catch (error) {
    await module?.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw error;
  }
  const ready = module;
  const sequelize = ready.get<Sequelize>(getConnectionToken());
  return {
    module: ready,
    sequelize,
    database,
    get: (type) => ready.get(type),
    select: (sql, replacements = {}) =>
      sequelize.query(sql, { replacements, type: QueryTypes.SELECT }),
    async close() {
      await ready.close();
      await database.drop();
    },
  };
}

/** A user written straight to the table (the password '!' matches no password). */
export async function insertUser(
  t: ModuleTest,
  roleId: number,
  username = uniqueUsername('user'),
): Promise<number> {
  const [row] = await t.select<{ id: number }>(
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
     VALUES (:username, '!', :roleId, now(), now()) RETURNING id`,
    { username, roleId },
  );
  return row.id;
}

export interface DriverFixture {
  serviceTypeId?: number;
  online?: boolean;
  at?: { latitude: number; longitude: number };
  /** How long ago the position was reported, in seconds (default 0). */
  reportedSecondsAgo?: number;
}

/** A driver with a vehicle, optionally online at a position. */
export async function insertDriver(t: ModuleTest, options: DriverFixture = {}): Promise<number> {
  const userId = await insertUser(t, DRIVER_ROLE_ID, uniqueUsername('driver'));
  await t.sequelize.query(
    `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline", "serviceTypeId",
       latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
     VALUES (:userId, 'Toyota', 'Prius', :plate, :online, :serviceTypeId, :latitude, :longitude,
       CASE WHEN CAST(:latitude AS DOUBLE PRECISION) IS NULL THEN NULL
            ELSE now() - make_interval(secs => :ago) END,
       now(), now())`,
    {
      replacements: {
        userId,
        plate: uniquePlate(),
        online: options.online ?? options.at !== undefined,
        serviceTypeId: options.serviceTypeId ?? 1,
        latitude: options.at?.latitude ?? null,
        longitude: options.at?.longitude ?? null,
        ago: options.reportedSecondsAgo ?? 0,
      },
    },
  );
  return userId;
}

/** San Francisco, the default pickup. */
export const SF = { latitude: 37.7749, longitude: -122.4194 };

export interface RideFixture {
  riderId: number;
  driverId?: number;
  status?: string;
  serviceTypeId?: number;
  pickup?: { latitude: number; longitude: number };
  /** How long ago the ride was requested, in seconds (default 0). */
  requestedSecondsAgo?: number;
}

/** A ride row written straight to the table; a driver's ride gets its acceptance time. */
export async function insertRide(t: ModuleTest, ride: RideFixture): Promise<number> {
  const pickup = ride.pickup ?? SF;
  const [row] = await t.select<{ id: number }>(
    `INSERT INTO "RideRequests" ("riderId", "driverId", status, "serviceTypeId",
       "pickupLatitude", "pickupLongitude", "pickupAddress",
       "destinationLatitude", "destinationLongitude", "destinationAddress", "estimatedFare",
       "requestedAt", "acceptedAt", "createdAt", "updatedAt")
     VALUES (:riderId, :driverId, CAST(:status AS "enum_RideRequests_status"), :serviceTypeId,
       :latitude, :longitude, 'pickup', 37.8044, -122.2712, 'destination', 20,
       now() - make_interval(secs => :ago),
       CASE WHEN CAST(:driverId AS INTEGER) IS NULL THEN NULL ELSE now() END, now(), now())
     RETURNING id`,
    {
      riderId: ride.riderId,
      driverId: ride.driverId ?? null,
      status: ride.status ?? 'REQUESTED',
      serviceTypeId: ride.serviceTypeId ?? 1,
      latitude: pickup.latitude,
      longitude: pickup.longitude,
      ago: ride.requestedSecondsAgo ?? 0,
    },
  );
  return row.id;
}
