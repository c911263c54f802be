import { randomBytes, randomInt } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { io, type Socket } from 'socket.io-client';
import request from 'supertest';
import { type RealtimeEventName, RealtimePublisher } from '../../src/realtime/realtime.publisher';
import { type Account, uniqueUsername } from '../support/accounts';
import { type ApiProcess, buildApi, startApiProcess } from '../support/api-process';
import { changeElsewhere, createTestApp, type TestApp } from '../support/app';
import { createMigratedDatabase, type TestDatabase } from '../support/database';
import { decodeJwtPayload, nowInSeconds, signJwt } from '../support/jwt';
import { withClient } from '../support/postgres';
import {
  connectRealtime,
  createRide,
  insertDriver,
  insertRider,
  putLocation,
  rideAction,
  rideBody,
  SF,
} from '../support/rides';

/**
 * The `/realtime` namespace as a client sees it: who may connect, and which events reach whom.
 * Most checks run against one in-process API without Redis; the last ones run two API processes
 * that share a database and Redis, with a client on one and the HTTP calls on the other.
 */

/** A 48-character secret, so tests can sign their own (expired, foreign…) tokens. */
const JWT_SECRET = randomBytes(36).toString('base64url');
const OFFER_RADIUS_KM = 5;
const EVENT_MS = 5_000;

type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface LatLng {
  latitude: number;
  longitude: number;
}

// ── geometry, on earthdistance's sphere ──────────────────────────────────────────────────────

const EARTH_RADIUS_KM = 6378.168;
const rad = (degrees: number) => (degrees * Math.PI) / 180;
const deg = (radians: number) => (radians * 180) / Math.PI;

function haversineKm(a: LatLng, b: LatLng): number {
  const h =
    Math.sin(rad(b.latitude - a.latitude) / 2) ** 2 +
    Math.cos(rad(a.latitude)) *
      Math.cos(rad(b.latitude)) *
      Math.sin(rad(b.longitude - a.longitude) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
}

const north = (from: LatLng, km: number): LatLng => ({
  latitude: from.latitude + deg(km / EARTH_RADIUS_KM),
  longitude: from.longitude,
});

const east = (from: LatLng, km: number): LatLng => ({
  latitude: from.latitude,
  longitude: from.longitude + deg(km / (EARTH_RADIUS_KM * Math.cos(rad(from.latitude)))),
});

let areas = 0;
/** A pickup about 111 km from every other test's, so one test's drivers never see another's rides. */
function freshArea(): LatLng {
  areas += 1;
  return { latitude: SF.latitude - areas, longitude: SF.longitude + 1 };
}

const tripFrom = (pickup: LatLng) => {
  const destination = north(pickup, 8);
  return {
    pickupLatitude: pickup.latitude,
    pickupLongitude: pickup.longitude,
    destinationLatitude: destination.latitude,
    destinationLongitude: destination.longitude,
  };
};

// ── clients ──────────────────────────────────────────────────────────────────────────────────

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Not an event of the API: sent by the test through the app's publisher, see `settled`. */
const MARKER = 'test.marker' as RealtimeEventName;
let markers = 0;

/** A connected client that records every event it receives, from the moment it connects. */
class Client {
  readonly received: { event: string; payload: Payload }[] = [];
  private readonly markers: number[] = [];
  readonly userId: number;

  constructor(
    readonly socket: Socket,
    token: string,
  ) {
    this.userId = Number(decodeJwtPayload(token).userId);
    sockets.push(socket);
    socket.onAny((event: string, payload: Payload) => {
      if (event === MARKER) this.markers.push((payload as { marker: number }).marker);
      else this.received.push({ event, payload });
    });
  }

  async hasMarker(marker: number, ms = EVENT_MS): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.markers.includes(marker)) {
      if (Date.now() > deadline) throw new Error(`marker ${marker} not received within ${ms} ms`);
      await sleep(10);
    }
  }

  /** Every payload of this event received so far, in order. */
  all(event: string): Payload[] {
    return this.received.filter((entry) => entry.event === event).map((entry) => entry.payload);
  }

  /** The first payload of this event that matches, waiting up to `ms` for it. */
  async waitFor(
    event: string,
    matches: (payload: Payload) => boolean = () => true,
    ms = EVENT_MS,
  ): Promise<Payload> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.all(event).find(matches);
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = JSON.stringify(this.received.map((entry) => entry.event));
        throw new Error(`no matching ${event} within ${ms} ms (received: ${seen})`);
      }
      await sleep(10);
    }
  }

  /** Every payload of this event once there are `count` of them, waiting up to `ms`. */
  async waitForCount(event: string, count: number, ms = EVENT_MS): Promise<Payload[]> {
    await this.waitFor(event, () => this.all(event).length >= count, ms);
    return this.all(event);
  }
}

async function connect(baseUrl: string, token: string): Promise<Client> {
  return new Client(await connectRealtime(baseUrl, token), token);
}

/** A handshake that sends the token the other documented way: an Authorization header. */
function connectWithHeader(baseUrl: string, authorization: string): Promise<Socket> {
  const socket = io(`${baseUrl}/realtime`, {
    transports: ['websocket'],
    extraHeaders: { Authorization: authorization },
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

const accessToken = (userId: number, roleId: number, lifetimeSeconds = 900) => {
  const iat = nowInSeconds();
  return signJwt(
    { sub: String(userId), userId, roleId, iat, exp: iat + lifetimeSeconds },
    JWT_SECRET,
  );
};

const refusal = (message: RegExp) => ({
  message: expect.stringMatching(message),
  data: { statusCode: 401 },
});

// ── one API in this process, no Redis ───────────────────────────────────────────────────────

let t: TestApp;

interface Redisless {
  database: TestDatabase;
  api: ApiProcess;
}
/**
 * The API process of "with Redis unreachable", started with the file: it must outlive Redis's
 * retries (about 11 s), which then pass while the other tests run instead of being waited out.
 */
let redisless: Promise<Redisless> | undefined;
/** `nest build`, once for every API process of this file. */
let built: Promise<void>;

async function startRedisless(): Promise<Redisless> {
  const database = await createMigratedDatabase();
  try {
    const api = await startApiProcess({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: 'redis://127.0.0.1:1',
      JWT_SECRET,
      DISPATCH_MODE: 'broadcast',
      // ioredis reports each reconnect, and when it gives up on queued commands, on stderr.
      DEBUG: 'ioredis:connection',
    });
    return { database, api };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

beforeAll(async () => {
  built = buildApi();
  redisless = built.then(startRedisless);
  redisless.catch(() => undefined); // awaited (and reported) by its own tests
  // The offers here are broadcast's (every nearby driver); ranked offers: dispatch.e2e-spec.ts.
  t = await createTestApp({ JWT_SECRET, DISPATCH_MODE: 'broadcast' });
}, 60_000);
afterAll(async () => {
  await t?.close();
  const started = await redisless?.catch(() => undefined);
  await started?.api.stop();
  await started?.database.drop();
}, 30_000);

async function licensePlateOf(driver: Account): Promise<string> {
  const [row] = await t.sequelize.query<{ licensePlate: string }>(
    `SELECT "licensePlate" FROM "DriverProfiles" WHERE "userId" = :id`,
    { replacements: { id: driver.id }, type: QueryTypes.SELECT },
  );
  return row.licensePlate;
}

async function accepted(driver: Account, rideId: number): Promise<void> {
  const response = await rideAction(t, driver, rideId, 'accept');
  expect({ status: response.status, body: response.body }).toMatchObject({
    status: 200,
    body: { ride: { status: 'ACCEPTED' } },
  });
}

/**
 * Resolves once these clients have received every event the in-process API emitted to them before
 * the call: the server then sends each a marker, and one socket delivers in order. The API emits a
 * request's events before it answers, so absence is proven without waiting for silence.
 */
async function settled(...clients: Client[]): Promise<void> {
  markers += 1;
  const marker = markers;
  t.app.get(RealtimePublisher).toUsers(
    clients.map((client) => client.userId),
    MARKER,
    { marker },
  );
  await Promise.all(clients.map((client) => client.hasMarker(marker)));
}

describe('the /realtime handshake', () => {
  it('disconnects a socket when its token expires', async () => {
    const rider = await insertRider(t);
    const client = await connect(t.baseUrl, accessToken(rider.id, 1, 2));
    const reason = await new Promise<string>((resolve) =>
      client.socket.once('disconnect', (why: string) => resolve(why)),
    );
    expect(reason).toBe('io server disconnect');
  });

  it('refuses a client that sends no token', async () => {
    await expect(connectRealtime(t.baseUrl, undefined)).rejects.toMatchObject(
      refusal(/authentication required/i),
    );
  });

  it('refuses a garbage token and a token signed with another secret', async () => {
    const rider = await insertRider(t);
    const foreign = signJwt(
      {
        sub: String(rider.id),
        userId: rider.id,
        roleId: 1,
        iat: nowInSeconds(),
        exp: nowInSeconds() + 900,
      },
      randomBytes(36).toString('base64url'),
    );
    for (const token of ['not-a-jwt', `${rider.accessToken}x`, foreign]) {
      await expect(connectRealtime(t.baseUrl, token)).rejects.toMatchObject(
        refusal(/invalid or has expired/),
      );
    }
  });

  it('refuses an expired token and admits the same token while it is still valid', async () => {
    const rider = await insertRider(t);
    await expect(
      connectRealtime(t.baseUrl, accessToken(rider.id, rider.roleId, -10)),
    ).rejects.toMatchObject(refusal(/invalid or has expired/));
    const socket = await connectRealtime(t.baseUrl, accessToken(rider.id, rider.roleId));
    sockets.push(socket);
    expect(socket.connected).toBe(true);
  });

  it('refuses the still-valid token of an account that has since been deleted', async () => {
    const rider = await insertRider(t);
    const before = await connectRealtime(t.baseUrl, rider.accessToken);
    before.close();
    await changeElsewhere(t, 'Users', () =>
      t.sequelize.query(`DELETE FROM "Users" WHERE id = :id`, { replacements: { id: rider.id } }),
    );
    await expect(connectRealtime(t.baseUrl, rider.accessToken)).rejects.toMatchObject(
      refusal(/no longer exists/),
    );
  });

  it('admits a valid token sent as auth.token', async () => {
    const driver = await insertDriver(t);
    const socket = await connectRealtime(t.baseUrl, driver.accessToken);
    sockets.push(socket);
    expect(socket.connected).toBe(true);
  });

  it('admits a valid token sent as an Authorization: Bearer header, and refuses a bad one', async () => {
    const rider = await insertRider(t);
    const socket = await connectWithHeader(t.baseUrl, `Bearer ${rider.accessToken}`);
    expect(socket.connected).toBe(true);
    await expect(connectWithHeader(t.baseUrl, 'Bearer not-a-jwt')).rejects.toMatchObject(
      refusal(/invalid or has expired/),
    );
  });

  it('delivers events only to the account a socket authenticated as', async () => {
    const pickup = freshArea();
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: pickup });
    const viaHeader = new Client(
      await connectWithHeader(t.baseUrl, `Bearer ${rider.accessToken}`),
      rider.accessToken,
    );
    const bystander = await connect(t.baseUrl, (await insertRider(t)).accessToken);
    const rideId = await createRide(t, rider, tripFrom(pickup));
    await accepted(driver, rideId);
    expect(await viaHeader.waitFor('ride.updated')).toMatchObject({
      id: rideId,
      status: 'ACCEPTED',
    });
    await settled(viaHeader, bystander);
    expect(bystander.received).toEqual([]);
  });
});

describe('ride.updated', () => {
  it("tells the rider that a driver accepted, with the driver's name and vehicle, and tells the driver", async () => {
    const pickup = freshArea();
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: pickup });
    const riderClient = await connect(t.baseUrl, rider.accessToken);
    const driverClient = await connect(t.baseUrl, driver.accessToken);
    const rideId = await createRide(t, rider, tripFrom(pickup));
    await accepted(driver, rideId);

    const toRider = await riderClient.waitFor('ride.updated', (ride) => ride.status === 'ACCEPTED');
    expect(toRider).toMatchObject({
      id: rideId,
      status: 'ACCEPTED',
      riderId: rider.id,
      driverId: driver.id,
      rider: { id: rider.id, username: rider.username },
      driver: {
        id: driver.id,
        username: driver.username,
        make: 'Toyota',
        model: 'Prius',
        licensePlate: await licensePlateOf(driver),
        location: { latitude: pickup.latitude, longitude: pickup.longitude },
      },
    });
    expect(typeof toRider.acceptedAt).toBe('string');
    const toDriver = await driverClient.waitFor('ride.updated');
    expect(toDriver).toEqual(toRider);
  });

  it('sends ride.updated to both rider and driver on arriving, start and complete, in order', async () => {
    const pickup = freshArea();
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: pickup });
    const riderClient = await connect(t.baseUrl, rider.accessToken);
    const driverClient = await connect(t.baseUrl, driver.accessToken);
    const rideId = await createRide(t, rider, tripFrom(pickup));
    await accepted(driver, rideId);

    const steps = [
      ['arriving', 'ARRIVING', 'arrivingAt'],
      ['start', 'IN_PROGRESS', 'startedAt'],
      ['complete', 'COMPLETED', 'completedAt'],
    ] as const;
    for (const [action, status, stamp] of steps) {
      const response = await rideAction(t, driver, rideId, action);
      expect({ action, status: response.status }).toEqual({ action, status: 200 });
      for (const client of [riderClient, driverClient]) {
        const update = await client.waitFor('ride.updated', (ride) => ride.status === status);
        expect(update).toMatchObject({ id: rideId, status, driverId: driver.id });
        expect(update[stamp]).toBe(response.body.ride[stamp]);
      }
    }
    const expected = ['ACCEPTED', 'ARRIVING', 'IN_PROGRESS', 'COMPLETED'];
    await settled(riderClient, driverClient);
    expect(riderClient.all('ride.updated').map((ride) => ride.status)).toEqual(expected);
    expect(driverClient.all('ride.updated').map((ride) => ride.status)).toEqual(expected);
    const completed = riderClient.all('ride.updated')[3];
    expect(completed.finalFare).toBe(completed.estimatedFare);
  });

  it('sends ride.updated CANCELLED to both when the rider cancels an accepted ride', async () => {
    const pickup = freshArea();
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: pickup });
    const riderClient = await connect(t.baseUrl, rider.accessToken);
    const driverClient = await connect(t.baseUrl, driver.accessToken);
    const rideId = await createRide(t, rider, tripFrom(pickup));
    await accepted(driver, rideId);

    const response = await rideAction(t, rider, rideId, 'cancel', { reason: 'changed my mind' });
    expect(response.status).toBe(200);
    for (const client of [riderClient, driverClient]) {
      expect(
        await client.waitFor('ride.updated', (ride) => ride.status === 'CANCELLED'),
      ).toMatchObject({
        id: rideId,
        status: 'CANCELLED',
        cancelledBy: 'rider',
        cancelReason: 'changed my mind',
      });
    }
  });

  it('sends ride.updated REQUESTED to the rider and to the driver who released the ride', async () => {
    const pickup = freshArea();
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: pickup });
    const riderClient = await connect(t.baseUrl, rider.accessToken);
    const driverClient = await connect(t.baseUrl, driver.accessToken);
    const rideId = await createRide(t, rider, tripFrom(pickup));
    await accepted(driver, rideId);

    const response = await rideAction(t, driver, rideId, 'release', { reason: 'flat tyre' });
    expect(response.status).toBe(200);
    for (const client of [riderClient, driverClient]) {
      expect(
        await client.waitFor('ride.updated', (ride) => ride.status === 'REQUESTED'),
      ).toMatchObject({
        id: rideId,
        status: 'REQUESTED',
        driverId: null,
        releaseReason: 'flat tyre',
      });
    }
  });
});

describe('ride.offered and ride.taken', () => {
  it('offers a new ride only to online, free drivers of its type with a fresh position within 5 km', async () => {
    const pickup = freshArea();
    const trip = tripFrom(pickup);

    // Busy: on another ride at the same pickup, accepted before anyone else is around.
    const busy = await insertDriver(t, { at: pickup });
    const otherRide = await createRide(t, await insertRider(t), trip);
    await accepted(busy, otherRide);

    const nearPositions = [north(pickup, 1), east(pickup, 4.5)];
    const outsidePositions = [north(pickup, 5.5), east(pickup, 20)];
    for (const position of nearPositions)
      expect(haversineKm(pickup, position)).toBeLessThan(OFFER_RADIUS_KM);
    for (const position of outsidePositions)
      expect(haversineKm(pickup, position)).toBeGreaterThan(OFFER_RADIUS_KM);

    const near = await Promise.all(nearPositions.map((at) => insertDriver(t, { at })));
    const excluded = {
      'just outside the radius': await insertDriver(t, { at: outsidePositions[0] }),
      '20 km away': await insertDriver(t, { at: outsidePositions[1] }),
      offline: await insertDriver(t, { at: pickup, online: false }),
      'of another service type': await insertDriver(t, { at: pickup, serviceTypeId: 2 }),
      'with a stale position': await insertDriver(t, { at: pickup, reportedSecondsAgo: 600 }),
      'busy with another ride': busy,
    };
    const nearClients = await Promise.all(
      near.map((driver) => connect(t.baseUrl, driver.accessToken)),
    );
    const excludedClients = await Promise.all(
      Object.entries(excluded).map(async ([why, driver]) => ({
        why,
        client: await connect(t.baseUrl, driver.accessToken),
      })),
    );

    const rider = await insertRider(t);
    const response = await t.http
      .post('/api/rides')
      .set('Authorization', `Bearer ${rider.accessToken}`)
      .send(rideBody(trip));
    expect(response.status).toBe(201);
    const ride = response.body.ride;

    for (const [index, client] of nearClients.entries()) {
      const offer = await client.waitFor('ride.offered');
      expect(offer).toEqual({
        ride: expect.objectContaining({
          id: ride.id,
          serviceTypeId: 1,
          pickupLatitude: pickup.latitude,
          pickupLongitude: pickup.longitude,
          estimatedFare: ride.estimatedFare,
          distanceKm: expect.any(Number),
        }),
      });
      expect(offer.ride.distanceKm).toBeCloseTo(haversineKm(pickup, nearPositions[index]), 2);
    }
    await settled(...nearClients, ...excludedClients.map(({ client }) => client));
    for (const client of nearClients) expect(client.all('ride.offered')).toHaveLength(1);
    const offeredTo = excludedClients
      .filter(({ client }) => client.all('ride.offered').length > 0)
      .map(({ why }) => why);
    expect(offeredTo).toEqual([]);
  });

  it('tells the other nearby drivers that the ride is taken once one of them accepts', async () => {
    const pickup = freshArea();
    const drivers = await Promise.all(
      [0.5, 1.5, 2.5].map((km) => insertDriver(t, { at: north(pickup, km) })),
    );
    const clients = await Promise.all(
      drivers.map((driver) => connect(t.baseUrl, driver.accessToken)),
    );
    const rideId = await createRide(t, await insertRider(t), tripFrom(pickup));
    for (const client of clients)
      await client.waitFor('ride.offered', (offer) => offer.ride.id === rideId);

    await accepted(drivers[1], rideId);
    for (const client of [clients[0], clients[2]]) {
      expect(await client.waitFor('ride.taken')).toEqual({ rideId, status: 'ACCEPTED' });
    }
    expect(await clients[1].waitFor('ride.updated')).toMatchObject({
      id: rideId,
      status: 'ACCEPTED',
    });
    await settled(...clients);
    expect(clients[1].all('ride.taken')).toEqual([]);
    expect(clients[0].all('ride.updated')).toEqual([]);
    expect(clients[2].all('ride.updated')).toEqual([]);
  });

  it('withdraws the offer from nearby drivers when the rider cancels before anyone accepts', async () => {
    const pickup = freshArea();
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: north(pickup, 2) });
    const client = await connect(t.baseUrl, driver.accessToken);
    const rideId = await createRide(t, rider, tripFrom(pickup));
    await client.waitFor('ride.offered', (offer) => offer.ride.id === rideId);

    expect((await rideAction(t, rider, rideId, 'cancel')).status).toBe(200);
    expect(await client.waitFor('ride.taken')).toEqual({ rideId, status: 'CANCELLED' });
  });

  it('offers a released ride again to the other nearby drivers but not to the one who released it', async () => {
    const pickup = freshArea();
    const [releasing, other] = await Promise.all(
      [1, 3].map((km) => insertDriver(t, { at: east(pickup, km) })),
    );
    const releasingClient = await connect(t.baseUrl, releasing.accessToken);
    const otherClient = await connect(t.baseUrl, other.accessToken);
    const rideId = await createRide(t, await insertRider(t), tripFrom(pickup));
    await otherClient.waitFor('ride.offered', (offer) => offer.ride.id === rideId);
    await releasingClient.waitFor('ride.offered', (offer) => offer.ride.id === rideId);

    await accepted(releasing, rideId);
    await otherClient.waitFor('ride.taken');
    expect((await rideAction(t, releasing, rideId, 'release')).status).toBe(200);

    const [, again] = await otherClient.waitForCount('ride.offered', 2);
    expect(again).toMatchObject({ ride: { id: rideId } });
    expect(again.ride.distanceKm).toBeCloseTo(haversineKm(pickup, east(pickup, 3)), 2);
    await releasingClient.waitFor('ride.updated', (ride) => ride.status === 'REQUESTED');
    await settled(releasingClient, otherClient);
    expect(releasingClient.all('ride.offered')).toHaveLength(1);
  });
});

describe('driver.location', () => {
  it("sends the driver's new position to the rider of their ride and to no other rider", async () => {
    const pickup = freshArea();
    const [rider, otherRider] = [await insertRider(t), await insertRider(t)];
    const [driver, otherDriver] = await Promise.all(
      [1, 2].map((km) => insertDriver(t, { at: north(pickup, km) })),
    );
    const riderClient = await connect(t.baseUrl, rider.accessToken);
    const otherRiderClient = await connect(t.baseUrl, otherRider.accessToken);
    const rideId = await createRide(t, rider, tripFrom(pickup));
    await accepted(driver, rideId);
    const otherRideId = await createRide(t, otherRider, tripFrom(pickup));
    await accepted(otherDriver, otherRideId);

    const position = north(pickup, 0.4);
    const response = await putLocation(t, driver, position);
    expect(response.status).toBe(200);
    expect(await riderClient.waitFor('driver.location')).toEqual({
      rideId,
      driverId: driver.id,
      latitude: position.latitude,
      longitude: position.longitude,
      updatedAt: response.body.updatedAt,
    });
    await settled(riderClient, otherRiderClient);
    expect(riderClient.all('driver.location')).toHaveLength(1);
    expect(otherRiderClient.all('driver.location')).toEqual([]);
  });
});

// ── two API processes, one database, one Redis ─────────────────────────────────────────────

describe('across two API processes sharing Redis', () => {
  const REDIS_URL = 'redis://127.0.0.1:6379';
  let database: TestDatabase | undefined;
  const processes: ApiProcess[] = [];
  let a: ApiProcess;
  let b: ApiProcess;
  /**
   * Socket.IO rooms are `user:<id>` and other runs may share this Redis: ids far from 1 keep
   * another run's events (and ours) from reaching anyone else's clients.
   */
  let nextUserId = 1_000_000 + randomInt(1_000_000_000);

  beforeAll(async () => {
    await built;
    database = await createMigratedDatabase();
    await withClient(database.url, (client) =>
      client.query(`SELECT setval(pg_get_serial_sequence('"RideRequests"', 'id'), $1)`, [
        1_000_000 + randomInt(1_000_000_000),
      ]),
    );
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL,
      JWT_SECRET,
      LOGIN_ATTEMPTS_PER_MINUTE: '100000',
      REGISTRATIONS_PER_MINUTE: '100000',
      REFRESHES_PER_MINUTE: '100000',
      DISPATCH_MODE: 'broadcast',
    };
    const started = await Promise.allSettled([startApiProcess(env), startApiProcess(env)]);
    for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    [a, b] = processes;
  }, 60_000);

  afterAll(async () => {
    await Promise.all(processes.map((api) => api.stop()));
    await database?.drop();
  }, 30_000);

  async function insertAccount(roleId: 1 | 2, at?: LatLng): Promise<Account> {
    nextUserId += 1;
    const id = nextUserId;
    const username = uniqueUsername(roleId === 1 ? 'rider' : 'driver');
    await withClient(database!.url, async (client) => {
      await client.query(
        `INSERT INTO "Users" (id, username, password, "roleId", "createdAt", "updatedAt")
         VALUES ($1, $2, '!', $3, now(), now())`,
        [id, username, roleId],
      );
      if (roleId === 2) {
        await client.query(
          `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline",
             "serviceTypeId", latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
           VALUES ($1, 'Toyota', 'Prius', $2, true, 1, $3, $4, now(), now(), now())`,
          [id, `R${id}`, at?.latitude ?? null, at?.longitude ?? null],
        );
      }
    });
    const token = accessToken(id, roleId);
    return { id, username, password: '!', roleId, accessToken: token, refreshToken: '' };
  }

  it('delivers ride.offered on one process for a ride requested through the other', async () => {
    const pickup = freshArea();
    const rider = await insertAccount(1);
    const driver = await insertAccount(2, north(pickup, 1));
    const driverOnA = await connect(a.url, driver.accessToken);

    const response = await request(b.url)
      .post('/api/rides')
      .set('Authorization', `Bearer ${rider.accessToken}`)
      .send(rideBody(tripFrom(pickup)));
    expect(response.status).toBe(201);
    const offer = await driverOnA.waitFor('ride.offered');
    expect(offer.ride).toMatchObject({ id: response.body.ride.id });
    expect(offer.ride.distanceKm).toBeCloseTo(haversineKm(pickup, north(pickup, 1)), 2);
  });

  it('delivers ride.updated on A when the driver accepts through B, and on B when the rider cancels through A', async () => {
    const pickup = freshArea();
    const rider = await insertAccount(1);
    const driver = await insertAccount(2, north(pickup, 2));
    const riderOnA = await connect(a.url, rider.accessToken);
    const driverOnB = await connect(b.url, driver.accessToken);

    const created = await request(a.url)
      .post('/api/rides')
      .set('Authorization', `Bearer ${rider.accessToken}`)
      .send(rideBody(tripFrom(pickup)));
    expect(created.status).toBe(201);
    const rideId = created.body.ride.id as number;

    const accept = await request(b.url)
      .post(`/api/rides/${rideId}/accept`)
      .set('Authorization', `Bearer ${driver.accessToken}`);
    expect(accept.status).toBe(200);
    expect(await riderOnA.waitFor('ride.updated')).toMatchObject({
      id: rideId,
      status: 'ACCEPTED',
      driver: { id: driver.id, username: driver.username, licensePlate: `R${driver.id}` },
    });

    const cancel = await request(a.url)
      .post(`/api/rides/${rideId}/cancel`)
      .set('Authorization', `Bearer ${rider.accessToken}`)
      .send({});
    expect(cancel.status).toBe(200);
    expect(
      await driverOnB.waitFor('ride.updated', (ride) => ride.status === 'CANCELLED'),
    ).toMatchObject({ id: rideId, status: 'CANCELLED', cancelledBy: 'rider' });
  });
});

describe('with Redis unreachable', () => {
  let database: TestDatabase | undefined;
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    ({ database, api } = await redisless!);
  }, 60_000);

  /**
   * Unanswered Redis commands used to fail after ioredis's 20 retries (about 10.5 s) and end the
   * process. A client's 22nd reconnect comes about a second after its 21st attempt failed, where
   * the queued commands were given up: by then every client made at boot has passed that point.
   */
  async function pastRedisRetryLimit(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (!/reconnect in 1100ms/.test(api!.output())) {
      if (Date.now() > deadline)
        throw new Error(`Redis retries did not run out:\n${api!.output()}`);
      await sleep(100);
    }
    expect(api!.output()).toMatch(/reach maxRetriesPerRequest limitation/);
  }

  it('keeps serving, rides and their events included, long after Redis gave up answering', async () => {
    await pastRedisRetryLimit();
    await request(api!.url).get('/api/health').expect(200);

    const [rider] = await withClient(database!.url, (client) =>
      client.query<{ id: number }>(
        `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
         VALUES ($1, '!', 1, now(), now()) RETURNING id`,
        [uniqueUsername('rider')],
      ),
    ).then((result) => result.rows);
    const token = accessToken(rider.id, 1);
    const socket = await connect(api!.url, token);
    const created = await request(api!.url)
      .post('/api/rides')
      .set('Authorization', `Bearer ${token}`)
      .send(rideBody());
    expect(created.status).toBe(201);
    await request(api!.url)
      .post(`/api/rides/${created.body.ride.id}/cancel`)
      .set('Authorization', `Bearer ${token}`)
      .send({})
      .expect(200);
    expect(await socket.waitFor('ride.updated')).toMatchObject({ status: 'CANCELLED' });
    expect(api!.output()).toMatch(/Redis unreachable/);
  }, 30_000);

  it('stops promptly on SIGTERM though Redis never answered', async () => {
    const started = Date.now();
    await api!.stop();
    // stop() falls back to SIGKILL after 10 s: a shutdown waiting on Redis shows up as that.
    expect(Date.now() - started).toBeLessThan(10_000);
    api = undefined;
  }, 15_000);
});
