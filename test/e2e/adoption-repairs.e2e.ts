/**
 * Adopting original-server databases holding data its schema allowed but ours does not: the
 * migrations repair it (and say how in the README) instead of stopping half-way.
 */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as bcrypt from 'bcryptjs';
import request from 'supertest';
import { migrateUp, runSeeders } from '../../db/migrator';
import type { TestDatabase } from '../support/database';
import {
  createOriginalDatabase,
  newerMigrationNames,
  startAdoptedApp,
} from '../support/original-server';
import { withClient } from '../support/postgres';
import { query } from '../support/migrations';

const PASSWORD = 'original-password';
const ADMIN = { adminUsername: 'chief', adminPassword: 'chief-of-the-adopted-fleet' };
/** Two names the original server took as different: 255 characters, equal but for case. */
const LONG_NAME = `${'x'.repeat(251)}Anne`;
const LONG_NAME_LATER = `${'x'.repeat(251)}anne`;

interface Fixture {
  users: Record<string, number>;
  profiles: Record<string, number>;
  rides: Record<string, number>;
  types: Record<string, number>;
}

/**
 * Rows the original server's API and schema let through: built-in roles spelt `Rider`/`Driver`
 * and id 3 taken by another role, plates equal but for case and spaces, 255-character usernames
 * equal but for case, fares below zero, beyond DECIMAL(10,2) and NaN, rides without a rider, a
 * service type whose `isActive` was never set, a ride a driver account booked.
 */
async function fillOriginalDatabase(url: string): Promise<Fixture> {
  return withClient(url, async (client) => {
    const insert = async (sql: string, params: unknown[] = []) =>
      (await client.query<{ id: number }>(`${sql} RETURNING id`, params)).rows[0].id;
    for (const name of ['Rider', 'Driver', 'support']) {
      await insert(
        `INSERT INTO "Roles" (name, "createdAt", "updatedAt") VALUES ($1, now(), now())`,
        [name],
      );
    }
    const types: Fixture['types'] = {};
    const addType = async (key: string, fares: unknown[], isActive: boolean | null) => {
      types[key] = await insert(
        `INSERT INTO "ServiceTypes" (name, "baseFare", "perMileRate", "perMinuteRate",
           "maxPassengers", "isActive", "createdAt", "updatedAt")
         VALUES ($1, $2, $3, $4, 4, $5, now(), now())`,
        [key, ...fares, isActive],
      );
    };
    await addType('SwiftRide X', [2.5, 1.2, 0.25], true);
    await addType('Odd Fares', [-1, '123456789.5', 'NaN'], true);
    await addType('Never Flagged', [3, 1, 0.5], null);

    const hash = bcrypt.hashSync(PASSWORD, 4);
    const users: Fixture['users'] = {};
    const addUser = async (key: string, roleId: number, username = key) => {
      users[key] = await insert(
        `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
         VALUES ($1, $2, $3, now(), now())`,
        [username, hash, roleId],
      );
    };
    await addUser('rita', 1);
    await addUser('long', 1, LONG_NAME);
    await addUser('longLater', 1, LONG_NAME_LATER);
    for (const key of ['dan', 'kk', 'kkShouted', 'hj', 'hjPadded', 'tabbed', 'trap']) {
      await addUser(key, 2);
    }

    const profiles: Fixture['profiles'] = {};
    const addProfile = async (key: string, plate: string) => {
      profiles[key] = await insert(
        `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "serviceTypeId")
         VALUES ($1, 'Toyota', 'Prius', $2, 1)`,
        [users[key], plate],
      );
    };
    await addProfile('dan', 'DAN 1');
    await addProfile('kk', 'kk 1');
    await addProfile('kkShouted', 'Kk 1');
    await addProfile('hj', 'hj 55 kl');
    await addProfile('hjPadded', ' hj 55 kl ');
    await addProfile('tabbed', 'ab\t 7');
    // Already holds the name the shouted duplicate would get.
    await addProfile('trap', `kk 1-${profiles.kkShouted}`);

    const rides: Fixture['rides'] = {};
    const addRide = async (
      key: string,
      riderId: number | null,
      status: string,
      fare: string,
      driverId: number | null = null,
    ) => {
      rides[key] = await insert(
        `INSERT INTO "RideRequests" ("riderId", "driverId", "pickupLatitude", "pickupLongitude",
           "pickupAddress", "destinationLatitude", "destinationLongitude", "destinationAddress",
           status, "estimatedFare", "createdAt", "updatedAt")
         VALUES ($1, $2, 37.77, -122.42, 'here', 37.80, -122.27, 'there', $3, $4,
           '2026-03-16T20:00:00Z', '2026-03-16T20:00:00Z')`,
        [riderId, driverId, status, fare],
      );
    };
    await addRide('negative', users.rita, 'COMPLETED', '-3.5', users.kk);
    await addRide('huge', users.rita, 'COMPLETED', '123456789.125', users.kk);
    await addRide('nan', users.rita, 'CANCELLED', 'NaN');
    await addRide('riderlessDone', null, 'COMPLETED', '10', users.hj);
    await addRide('riderlessWaiting', null, 'REQUESTED', '12');
    await addRide('drivenByDan', users.rita, 'COMPLETED', '14', users.dan);
    await addRide('bookedByDriver', users.dan, 'COMPLETED', '15', users.hj);
    return { users, profiles, rides, types };
  });
}

describe('adopting an original database with data our constraints refuse', () => {
  let database: TestDatabase;
  let fixture: Fixture;
  let applied: string[];
  let app: NestFastifyApplication;

  const logIn = (username: string, password = PASSWORD) =>
    request(app.getHttpServer()).post('/api/auth/login').send({ username, password });
  const tokenOf = async (username: string, password = PASSWORD) => {
    const response = await logIn(username, password);
    expect(response.status).toBe(200);
    return `Bearer ${response.body.accessToken as string}`;
  };

  beforeAll(async () => {
    database = await createOriginalDatabase();
    fixture = await fillOriginalDatabase(database.url);
    applied = await migrateUp(database.url);
    await runSeeders(database.url, ADMIN);
    app = await startAdoptedApp(database.url);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('applies every newer migration', () => {
    expect(applied).toEqual(newerMigrationNames());
  });

  it('stores every plate as the API would, the oldest keeping a plate others collapse into', async () => {
    const { profiles } = fixture;
    const plates = await query(
      database.url,
      `SELECT id, "licensePlate" FROM "DriverProfiles" ORDER BY id`,
    );

    expect(plates).toEqual([
      { id: profiles.dan, licensePlate: 'DAN 1' },
      { id: profiles.kk, licensePlate: 'KK 1' },
      { id: profiles.kkShouted, licensePlate: `KK 1-${profiles.kkShouted}-2` },
      { id: profiles.hj, licensePlate: 'HJ 55 KL' },
      { id: profiles.hjPadded, licensePlate: `HJ 55 KL-${profiles.hjPadded}` },
      { id: profiles.tabbed, licensePlate: 'AB 7' },
      { id: profiles.trap, licensePlate: `KK 1-${profiles.kkShouted}` },
    ]);
  });

  it('shortens a 255-character duplicate username to make room for its -<id>', async () => {
    const { users } = fixture;
    const suffix = `-${users.longLater}`;
    const renamed = `${LONG_NAME_LATER.slice(0, 255 - suffix.length)}${suffix}`;

    const rows = await query(
      database.url,
      `SELECT id, username FROM "Users" WHERE id IN ($1, $2)`,
      [users.long, users.longLater],
    );

    expect(rows).toEqual(
      expect.arrayContaining([
        { id: users.long, username: LONG_NAME },
        { id: users.longLater, username: renamed },
      ]),
    );
    expect((await logIn(renamed)).body).toMatchObject({ userId: users.longLater });
  });

  it('brings fares into DECIMAL(10,2): below zero → 0, too large → 99999999.99, NaN → unknown', async () => {
    const { rides, types } = fixture;
    expect(
      await query(
        database.url,
        `SELECT "baseFare", "perMileRate", "perMinuteRate" FROM "ServiceTypes" WHERE id = $1`,
        [types['Odd Fares']],
      ),
    ).toEqual([{ baseFare: '0.00', perMileRate: '99999999.99', perMinuteRate: '0.00' }]);
    expect(
      await query(
        database.url,
        `SELECT id, "estimatedFare" FROM "RideRequests" WHERE id = ANY($1) ORDER BY id`,
        [[rides.negative, rides.huge, rides.nan]],
      ),
    ).toEqual([
      { id: rides.negative, estimatedFare: '0.00' },
      { id: rides.huge, estimatedFare: '99999999.99' },
      { id: rides.nan, estimatedFare: null },
    ]);
  });

  it('gives rides without a rider to an unknown-rider account nobody can log in to, cancelling waiting ones', async () => {
    const { rides } = fixture;
    const [placeholder] = await query<{ id: number; password: string; role: string }>(
      database.url,
      `SELECT u.id, u.password, r.name AS role FROM "Users" u JOIN "Roles" r ON r.id = u."roleId"
       WHERE u.username = 'unknown-rider'`,
    );
    expect(placeholder).toEqual({ id: expect.any(Number), password: '!', role: 'rider' });

    expect(
      await query(
        database.url,
        `SELECT id, "riderId", status, "cancelledBy", "cancelReason" FROM "RideRequests"
         WHERE id = ANY($1) ORDER BY id`,
        [[rides.riderlessDone, rides.riderlessWaiting]],
      ),
    ).toEqual([
      {
        id: rides.riderlessDone,
        riderId: placeholder.id,
        status: 'COMPLETED',
        cancelledBy: null,
        cancelReason: null,
      },
      {
        id: rides.riderlessWaiting,
        riderId: placeholder.id,
        status: 'CANCELLED',
        cancelledBy: 'system',
        cancelReason: 'rider_unknown',
      },
    ]);
    expect((await logIn('unknown-rider', '!')).status).toBe(401);
  });

  it('recognises roles spelt Rider and Driver: riders request rides, drivers go online', async () => {
    const ride = await request(app.getHttpServer())
      .post('/api/rides')
      .set('Authorization', await tokenOf('rita'))
      .send({
        pickupLatitude: 37.7749,
        pickupLongitude: -122.4194,
        pickupAddress: '1 Market St',
        destinationLatitude: 37.8044,
        destinationLongitude: -122.2712,
        destinationAddress: '2 Broadway',
      });
    expect(ride.status).toBe(201);

    const online = await request(app.getHttpServer())
      .patch('/api/drivers/me/update-status')
      .set('Authorization', await tokenOf('dan'))
      .send({ isOnline: true });
    expect(online.status).toBe(200);
  });

  it('seeds admin under a free id when 3 is another role, and the admin can manage', async () => {
    const roles = await query(database.url, `SELECT id, name FROM "Roles" ORDER BY id`);
    expect(roles).toEqual([
      { id: 1, name: 'rider' },
      { id: 2, name: 'driver' },
      { id: 3, name: 'support' },
      { id: 4, name: 'admin' },
    ]);

    const users = await request(app.getHttpServer())
      .get('/api/users')
      .set('Authorization', await tokenOf(ADMIN.adminUsername, ADMIN.adminPassword));
    expect(users.status).toBe(200);
  });

  it('keeps a service type whose isActive was never set hidden, as the original server did', async () => {
    const listed = await request(app.getHttpServer()).get('/api/service-types');

    expect(listed.status).toBe(200);
    const names = (listed.body as { name: string }[]).map((type) => type.name);
    expect(names).toContain('SwiftRide X');
    expect(names).not.toContain('Never Flagged');
  });

  it('shows a driver account the rides it booked as a rider, beside the ones it drove', async () => {
    const history = await request(app.getHttpServer())
      .get('/api/rides/me')
      .set('Authorization', await tokenOf('dan'));

    expect(history.status).toBe(200);
    expect(history.body.data).toEqual([
      expect.objectContaining({ id: fixture.rides.bookedByDriver, riderId: fixture.users.dan }),
      expect.objectContaining({ id: fixture.rides.drivenByDan, driverId: fixture.users.dan }),
    ]);
    expect(history.body.meta).toMatchObject({ total: 2 });
  });
});
