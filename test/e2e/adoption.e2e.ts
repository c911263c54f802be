/** Taking over a database the original Express server created and used: migrate, keep, log in. */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as bcrypt from 'bcryptjs';
import request from 'supertest';
import { TokenService } from '../../src/auth/token.service';
import { migrateUp } from '../../db/migrator';
import { createEmptyDatabase, type TestDatabase } from '../support/database';
import {
  newerMigrationNames,
  ORIGINAL_MIGRATIONS,
  ORIGINAL_SCHEMA,
  startAdoptedApp,
} from '../support/original-server';
import { withClient } from '../support/postgres';

const RIDER = 1;
const DRIVER = 2;

interface OriginalUser {
  username: string;
  password: string;
  roleId: number;
  /** bcryptjs 2 (the original server's) wrote `$2a$`; bcryptjs 3 writes `$2b$`. */
  bcryptVersion: '2a' | '2b';
  createdAt: Date;
}

const ANN: OriginalUser = {
  username: 'Ann.Lee',
  password: 'anns-first-password',
  roleId: RIDER,
  bcryptVersion: '2a',
  createdAt: new Date('2026-02-18T09:00:00.000Z'),
};
const DAVE: OriginalUser = {
  username: 'dave',
  password: 'dave-drives-at-night',
  roleId: DRIVER,
  bcryptVersion: '2a',
  createdAt: new Date('2026-02-19T10:30:00.000Z'),
};
const ERIN: OriginalUser = {
  username: 'erin',
  password: 'erin-is-offline',
  roleId: DRIVER,
  bcryptVersion: '2a',
  createdAt: new Date('2026-03-15T08:00:00.000Z'),
};
/** Signed up after ANN with the same name in another case: the original server let that through. */
const LATER_ANN: OriginalUser = {
  username: 'ann.lee',
  password: 'another-ann-entirely',
  roleId: RIDER,
  bcryptVersion: '2a',
  createdAt: new Date('2026-03-16T12:00:00.000Z'),
};
const GRACE: OriginalUser = {
  username: 'grace',
  password: 'grace-under-pressure',
  roleId: RIDER,
  bcryptVersion: '2a',
  createdAt: new Date('2026-03-17T07:45:00.000Z'),
};
const BOB: OriginalUser = {
  username: 'bob',
  password: 'bobs-newer-hash',
  roleId: RIDER,
  bcryptVersion: '2b',
  createdAt: new Date('2026-03-18T18:20:00.000Z'),
};
const ORIGINAL_USERS = [ANN, DAVE, ERIN, LATER_ANN, GRACE, BOB];

const SERVICE_TYPES = [
  { name: 'SwiftRide X', baseFare: '2.50', perMileRate: '1.20', perMinuteRate: '0.25', seats: 4 },
  { name: 'SwiftRide SUV', baseFare: '5.00', perMileRate: '2.00', perMinuteRate: '0.35', seats: 6 },
  {
    name: 'SwiftRide Black',
    baseFare: '8.00',
    perMileRate: '3.00',
    perMinuteRate: '0.50',
    seats: 4,
  },
];

function bcryptHash(user: OriginalUser): string {
  const salt = bcrypt.genSaltSync(10).replace(/^\$2b\$/, `$${user.bcryptVersion}$`);
  return bcrypt.hashSync(user.password, salt);
}

type Row = Record<string, unknown>;

async function query<T extends Row = Row>(url: string, sql: string, params: unknown[] = []) {
  const result = await withClient(url, (client) => client.query<T>(sql, params));
  return result.rows;
}

interface OriginalData {
  userIds: Map<OriginalUser, number>;
  hashes: Map<OriginalUser, string>;
  rows: Record<'Users' | 'Roles' | 'DriverProfiles' | 'ServiceTypes' | 'RideRequests', Row[]>;
}

/** The tables, filled the way the original server left them; returns what went in. */
async function buildOriginalDatabase(url: string): Promise<OriginalData> {
  return withClient(url, async (client) => {
    const insert = async (sql: string, params: unknown[]) =>
      (await client.query<{ id: number }>(`${sql} RETURNING id`, params)).rows[0].id;
    for (const statement of ORIGINAL_SCHEMA) await client.query(statement);
    for (const name of ORIGINAL_MIGRATIONS) {
      await client.query(`INSERT INTO "SequelizeMeta" (name) VALUES ($1)`, [name]);
    }

    for (const role of ['rider', 'driver']) {
      await client.query(
        `INSERT INTO "Roles" (name, "createdAt", "updatedAt") VALUES ($1, now(), now())`,
        [role],
      );
    }
    for (const type of SERVICE_TYPES) {
      await client.query(
        `INSERT INTO "ServiceTypes" (name, "baseFare", "perMileRate", "perMinuteRate",
           "maxPassengers", "isActive", "createdAt", "updatedAt")
         VALUES ($1, $2, $3, $4, $5, true, '2026-03-16T02:00:00Z', '2026-03-16T02:00:00Z')`,
        [type.name, type.baseFare, type.perMileRate, type.perMinuteRate, type.seats],
      );
    }

    const userIds = new Map<OriginalUser, number>();
    const hashes = new Map<OriginalUser, string>();
    for (const user of ORIGINAL_USERS) {
      hashes.set(user, bcryptHash(user));
      const id = await insert(
        `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
         VALUES ($1, $2, $3, $4, $4)`,
        [user.username, hashes.get(user), user.roleId, user.createdAt],
      );
      userIds.set(user, id);
    }

    await client.query(
      `INSERT INTO "DriverProfiles"
         ("userId", make, model, "licensePlate", "isOnline", "serviceTypeId")
       VALUES ($1, 'Toyota', 'Prius', 'SWIFT-1', true, 3)`,
      [userIds.get(DAVE)],
    );
    await client.query(
      `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate")
       VALUES ($1, 'Honda', 'Civic', 'SWIFT-2')`,
      [userIds.get(ERIN)],
    );

    await client.query(
      `INSERT INTO "RideRequests" ("riderId", "driverId", "pickupLatitude", "pickupLongitude",
         "pickupAddress", "destinationLatitude", "destinationLongitude", "destinationAddress",
         status, "serviceType", "estimatedFare", "createdAt", "updatedAt")
       VALUES ($1, $2, 37.7749, -122.4194, '1 Market St', 37.8044, -122.2712, '2 Broadway',
         'COMPLETED', 'SWIFTRIDE_BLACK', 23.75, '2026-03-16T20:00:00Z', '2026-03-16T20:40:00Z')`,
      [userIds.get(ANN), userIds.get(DAVE)],
    );
    await client.query(
      `INSERT INTO "RideRequests" ("riderId", "pickupLatitude", "pickupLongitude", "pickupAddress",
         "destinationLatitude", "destinationLongitude", "destinationAddress", "estimatedFare",
         "createdAt", "updatedAt")
       VALUES ($1, 40.7128, -74.006, '3 Wall St', 40.7306, -73.9352, '4 Bedford Ave', 18.2,
         '2026-03-17T09:00:00Z', '2026-03-17T09:00:00Z')`,
      [userIds.get(BOB)],
    );

    return { userIds, hashes, rows: await originalTables(url) };
  });
}

/**
 * A row's columns that the original server had, as they should read after our migrations: the
 * ride class enum became `serviceTypeId` (checked on its own) and fares are held to the cent.
 */
function originalColumns(table: keyof OriginalData['rows']) {
  return (row: Row): Row => {
    const kept = Object.fromEntries(
      Object.entries(row).filter(([column]) => ORIGINAL_COLUMNS[table].includes(column)),
    );
    if (table === 'RideRequests') kept.estimatedFare = Number(kept.estimatedFare).toFixed(2);
    return kept;
  };
}

const ORIGINAL_COLUMNS: Record<keyof OriginalData['rows'], string[]> = {
  Users: ['id', 'username', 'password', 'roleId', 'createdAt', 'updatedAt'],
  Roles: ['id', 'name', 'createdAt', 'updatedAt'],
  DriverProfiles: [
    'id',
    'userId',
    'make',
    'model',
    'licensePlate',
    'isOnline',
    'serviceTypeId',
    'createdAt',
    'updatedAt',
  ],
  ServiceTypes: [
    'id',
    'name',
    'baseFare',
    'perMileRate',
    'perMinuteRate',
    'maxPassengers',
    'isActive',
    'createdAt',
    'updatedAt',
  ],
  RideRequests: [
    'id',
    'riderId',
    'driverId',
    'pickupLatitude',
    'pickupLongitude',
    'pickupAddress',
    'destinationLatitude',
    'destinationLongitude',
    'destinationAddress',
    'status',
    'estimatedFare',
    'createdAt',
    'updatedAt',
  ],
};

/** The original tables' rows, in id order. */
async function originalTables(url: string): Promise<OriginalData['rows']> {
  const all = (table: string) => query(url, `SELECT * FROM "${table}" ORDER BY id`);
  return {
    Users: await all('Users'),
    Roles: await all('Roles'),
    DriverProfiles: await all('DriverProfiles'),
    ServiceTypes: await all('ServiceTypes'),
    RideRequests: await all('RideRequests'),
  };
}

async function storedPassword(url: string, userId: number): Promise<string> {
  const [row] = await query<{ password: string }>(
    url,
    `SELECT password FROM "Users" WHERE id = $1`,
    [userId],
  );
  return row.password;
}

describe('adopting the original Express server’s database', () => {
  let database: TestDatabase;
  let original: OriginalData;
  let applied: string[];
  let afterMigration: OriginalData['rows'];
  let app: NestFastifyApplication;

  const idOf = (user: OriginalUser) => original.userIds.get(user)!;
  const renamedLaterAnn = () => `${LATER_ANN.username}-${idOf(LATER_ANN)}`;
  /** A token without a login, so the first-login rehash tests still see the original hashes. */
  const tokenOf = (user: OriginalUser) =>
    app.get(TokenService).signAccessToken({ id: idOf(user), roleId: user.roleId });
  const logIn = (username: string, password: string) =>
    request(app.getHttpServer()).post('/api/auth/login').send({ username, password });

  beforeAll(async () => {
    database = await createEmptyDatabase();
    original = await buildOriginalDatabase(database.url);
    applied = await migrateUp(database.url);
    afterMigration = await originalTables(database.url);
    app = await startAdoptedApp(database.url);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('applies only our migrations newer than the original eight, and records them', async () => {
    const newer = newerMigrationNames();
    expect(newer.length).toBeGreaterThan(0);

    expect(applied).toEqual(newer);

    const recorded = await query<{ name: string }>(
      database.url,
      `SELECT name FROM "SequelizeMeta" ORDER BY name`,
    );
    expect(recorded.map((row) => row.name)).toEqual([...ORIGINAL_MIGRATIONS, ...newer]);
  });

  it('keeps every role, service type, driver profile and ride exactly as it was', () => {
    for (const table of ['Roles', 'ServiceTypes', 'DriverProfiles', 'RideRequests'] as const) {
      expect({ table, rows: afterMigration[table].map(originalColumns(table)) }).toEqual({
        table,
        rows: original.rows[table].map(originalColumns(table)),
      });
    }
    expect(afterMigration.Roles).toEqual([
      expect.objectContaining({ id: RIDER, name: 'rider' }),
      expect.objectContaining({ id: DRIVER, name: 'driver' }),
    ]);
    expect(afterMigration.ServiceTypes.map((type) => [type.id, type.name, type.baseFare])).toEqual([
      [1, 'SwiftRide X', '2.50'],
      [2, 'SwiftRide SUV', '5.00'],
      [3, 'SwiftRide Black', '8.00'],
    ]);
    expect(afterMigration.DriverProfiles).toEqual([
      expect.objectContaining({
        userId: idOf(DAVE),
        licensePlate: 'SWIFT-1',
        isOnline: true,
        serviceTypeId: 3,
      }),
      expect.objectContaining({
        userId: idOf(ERIN),
        licensePlate: 'SWIFT-2',
        isOnline: false,
        serviceTypeId: 1,
      }),
    ]);
    expect(afterMigration.RideRequests).toEqual([
      expect.objectContaining({
        riderId: idOf(ANN),
        driverId: idOf(DAVE),
        pickupLatitude: 37.7749,
        status: 'COMPLETED',
        serviceTypeId: 3,
        estimatedFare: '23.75',
        requestedAt: new Date('2026-03-16T20:00:00Z'),
      }),
      expect.objectContaining({
        riderId: idOf(BOB),
        driverId: null,
        status: 'REQUESTED',
        serviceTypeId: 1,
        estimatedFare: '18.20',
        requestedAt: new Date('2026-03-17T09:00:00Z'),
      }),
    ]);
  });

  it('keeps every user with their id, role, creation time and bcrypt hash', () => {
    expect(afterMigration.Users).toHaveLength(ORIGINAL_USERS.length);
    expect(afterMigration.Users).toEqual(
      ORIGINAL_USERS.map((user) =>
        expect.objectContaining({
          id: idOf(user),
          password: original.hashes.get(user),
          roleId: user.roleId,
          createdAt: user.createdAt,
        }),
      ),
    );
    expect(original.hashes.get(ANN)).toMatch(/^\$2a\$10\$/);
    expect(original.hashes.get(BOB)).toMatch(/^\$2b\$10\$/);
  });

  it('renames the later of two usernames equal but for case to <name>-<id>', () => {
    const usernames = afterMigration.Users.map((user) => user.username);

    expect(usernames).toEqual(
      ORIGINAL_USERS.map((user) => (user === LATER_ANN ? renamedLaterAnn() : user.username)),
    );
    expect(usernames).toContain('Ann.Lee');
  });

  it.each([
    ['a rider', ANN, null],
    ['an online driver', DAVE, true],
    ['an offline driver', ERIN, false],
  ])('logs %s in with their old password, roleId and online flag', async (_, user, isOnline) => {
    const response = await logIn(user.username, user.password);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      success: true,
      message: expect.any(String),
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      userId: idOf(user),
      roleId: user.roleId,
      isOnline,
    });
  });

  it('logs the renamed duplicate in under its new name with its own old password', async () => {
    const renamed = await logIn(renamedLaterAnn(), LATER_ANN.password);
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ userId: idOf(LATER_ANN), roleId: RIDER, isOnline: null });

    const byOldName = await logIn(LATER_ANN.username, LATER_ANN.password);
    expect(byOldName.status).toBe(401);
  });

  it('shows an original rider their rides through the API, the ride class as a service type', async () => {
    const history = await request(app.getHttpServer())
      .get('/api/rides/me')
      .set('Authorization', `Bearer ${tokenOf(ANN)}`);

    expect(history.status).toBe(200);
    expect(history.body.data).toEqual([
      expect.objectContaining({
        riderId: idOf(ANN),
        status: 'COMPLETED',
        serviceTypeId: 3,
        serviceType: expect.objectContaining({ id: 3, name: 'SwiftRide Black' }),
        estimatedFare: 23.75,
        pickupAddress: '1 Market St',
        driver: expect.objectContaining({ id: idOf(DAVE), username: DAVE.username }),
      }),
    ]);
  });

  it("lets an original rider's waiting ride go on: the rider can cancel it", async () => {
    const rideId = original.rows.RideRequests[1].id as number;

    const cancelled = await request(app.getHttpServer())
      .post(`/api/rides/${rideId}/cancel`)
      .set('Authorization', `Bearer ${tokenOf(BOB)}`)
      .send({});

    expect(cancelled.status).toBe(200);
    expect(cancelled.body.ride).toMatchObject({
      id: rideId,
      status: 'CANCELLED',
      cancelledBy: 'rider',
      serviceType: { name: 'SwiftRide X' },
      estimatedFare: 18.2,
    });
  });

  it('shows an original driver their vehicle and service type, fares as JSON numbers', async () => {
    const login = await logIn(DAVE.username, DAVE.password);
    expect(login.status).toBe(200);

    const me = await request(app.getHttpServer())
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${login.body.accessToken}`);

    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: idOf(DAVE),
      username: DAVE.username,
      roleId: DRIVER,
      role: { id: DRIVER, name: 'driver' },
      profile: {
        make: 'Toyota',
        model: 'Prius',
        licensePlate: 'SWIFT-1',
        isOnline: true,
        serviceTypeId: 3,
        serviceType: { id: 3, name: 'SwiftRide Black', baseFare: 8, perMileRate: 3 },
      },
    });
  });

  it.each([
    ['$2a$', GRACE],
    ['$2b$', BOB],
  ])(
    'replaces a %s hash with argon2id at the first login; the next login still works',
    async (_, user) => {
      expect(await storedPassword(database.url, idOf(user))).toBe(original.hashes.get(user));

      expect((await logIn(user.username, user.password)).status).toBe(200);

      const rehashed = await storedPassword(database.url, idOf(user));
      expect(rehashed).toMatch(/^\$argon2id\$/);

      const again = await logIn(user.username, user.password);
      expect(again.status).toBe(200);
      expect(again.body.userId).toBe(idOf(user));
      expect(await storedPassword(database.url, idOf(user))).toBe(rehashed);
      expect((await logIn(user.username, 'not-the-password')).status).toBe(401);
    },
  );

  it('applies nothing when migrated again', async () => {
    expect(await migrateUp(database.url)).toEqual([]);
  });
});
