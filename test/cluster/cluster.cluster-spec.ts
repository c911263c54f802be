import { randomBytes, randomInt } from 'node:crypto';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { uniqueUsername } from '../support/accounts';
import { type ApiProcess, buildApi, startApiProcess } from '../support/api-process';
import { createMigratedDatabase, type TestDatabase } from '../support/database';
import { nowInSeconds, signJwt } from '../support/jwt';
import { type AccessLogEntry, type Nginx, startNginx } from '../support/nginx';
import { waitUntil } from '../support/load';
import { withClient } from '../support/postgres';
import { rideBody, SF } from '../support/rides';

/**
 * Three API processes, as `npm start` runs them in production, behind a real nginx running
 * deploy/nginx.conf, sharing one PostgreSQL database and one Redis. Run by `npm run test:cluster`.
 */

const REDIS = 'redis://127.0.0.1:6379';
/** Rate-limit counters of this run only, removed afterwards (other runs may share this Redis). */
const REDIS_PREFIX = `swiftride-cluster-${randomBytes(6).toString('hex')}:`;
const JWT_SECRET = randomBytes(36).toString('base64url');
const LOGIN_LIMIT = 10;
const WAIT_MS = 10_000;

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
interface LatLng {
  latitude: number;
  longitude: number;
}
interface Account {
  id: number;
  token: string;
}

let database: TestDatabase | undefined;
const apis: ApiProcess[] = [];
let nginx: Nginx | undefined;
const sockets: Socket[] = [];

/**
 * Socket.IO rooms are `user:<id>` and other runs may share this Redis's channels: ids far from 1
 * keep their events and ours apart.
 */
let nextUserId = 1_000_000 + randomInt(1_000_000_000);
let areas = 0;

beforeAll(async () => {
  database = await createMigratedDatabase();
  await withClient(database.url, (client) =>
    client.query(`SELECT setval(pg_get_serial_sequence('"RideRequests"', 'id'), $1)`, [
      1_000_000 + randomInt(1_000_000_000),
    ]),
  );
  await buildApi();
  const env = {
    NODE_ENV: 'production',
    JWT_SECRET,
    DATABASE_URL: database.url,
    REDIS_URL: `${REDIS}/0?keyPrefix=${REDIS_PREFIX}`,
    TRUST_PROXY: 'true',
    DB_POOL_MAX: '5',
  };
  const started = await Promise.allSettled([1, 2, 3].map(() => startApiProcess(env)));
  for (const result of started) if (result.status === 'fulfilled') apis.push(result.value);
  const failed = started.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  nginx = await startNginx(apis.map((api) => api.port));
}, 120_000);

afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

afterAll(async () => {
  await nginx?.stop();
  await Promise.all(apis.map((api) => api.stop()));
  await database?.drop();
  const redis = new Redis(REDIS);
  try {
    for await (const keys of redis.scanStream({ match: `${REDIS_PREFIX}*`, count: 1000 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}, 60_000);

// ── helpers ──────────────────────────────────────────────────────────────────────────────────

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something, or fails after `ms` saying what it waited for. */
async function eventually<T>(what: string, probe: () => T | undefined, ms = WAIT_MS): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(20);
  }
}

const address = (api: ApiProcess) => `127.0.0.1:${api.port}`;
const newProbe = (stem: string) => `${stem}-${randomBytes(4).toString('hex')}`;

/** Once nginx has logged `count` requests tagged `probe`: those requests. */
function logged(probe: string, count = 1): Promise<AccessLogEntry[]> {
  return eventually(`${count} request(s) tagged ${probe} in nginx's access log`, () => {
    const entries = nginx!.accessLog().filter((entry) => entry.probe === probe);
    return entries.length >= count ? entries : undefined;
  });
}

interface Reply {
  status: number;
  body: Body;
  headers: Headers;
}

async function send(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: object; probe?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body && { 'Content-Type': 'application/json' }),
      ...(options.token && { Authorization: `Bearer ${options.token}` }),
      ...(options.probe && { 'X-Probe': options.probe }),
      ...options.headers,
    },
    body: options.body && JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: Body;
  try {
    body = JSON.parse(text) as Body;
  } catch {
    body = { text };
  }
  return { status: response.status, body, headers: response.headers };
}

function tokenFor(id: number, roleId: number): string {
  const iat = nowInSeconds();
  return signJwt({ sub: String(id), userId: id, roleId, iat, exp: iat + 900 }, JWT_SECRET);
}

/** Riders, or online drivers of service type 1 reporting `at` now, written straight to the database. */
async function insertAccounts(roleId: 1 | 2, count: number, at?: LatLng): Promise<Account[]> {
  const ids = Array.from({ length: count }, () => (nextUserId += 1));
  await withClient(database!.url, async (client) => {
    await client.query(
      `INSERT INTO "Users" (id, username, password, "roleId", "createdAt", "updatedAt")
       SELECT id, $2 || '-' || id, '!', $3, now(), now() FROM unnest($1::int[]) AS id`,
      [ids, uniqueUsername('cluster'), roleId],
    );
    if (roleId === 2) {
      await client.query(
        `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline",
           "serviceTypeId", latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
         SELECT id, 'Toyota', 'Prius', 'C' || id, true, 1, $2, $3, now(), now(), now()
         FROM unnest($1::int[]) AS id`,
        [ids, at?.latitude ?? null, at?.longitude ?? null],
      );
    }
  });
  return ids.map((id) => ({ id, token: tokenFor(id, roleId) }));
}

/** A pickup about 111 km from the others, so one test's drivers are never offered another's rides. */
function freshArea(): LatLng {
  areas += 1;
  return { latitude: SF.latitude - areas, longitude: SF.longitude + 1 };
}

function trip(pickup: LatLng) {
  return rideBody({
    pickupLatitude: pickup.latitude,
    pickupLongitude: pickup.longitude,
    destinationLatitude: pickup.latitude + 0.07,
    destinationLongitude: pickup.longitude,
  });
}

async function requestRide(base: string, rider: Account, pickup: LatLng): Promise<number> {
  const created = await send(base, 'POST', '/api/rides', {
    token: rider.token,
    body: trip(pickup),
  });
  expect(created).toMatchObject({ status: 201 });
  return created.body.ride.id as number;
}

/** A `/realtime` client through nginx that records what it receives. */
class Client {
  readonly received: { event: string; payload: Body }[] = [];
  readonly socket: Socket;

  constructor(token: string, transports: ('polling' | 'websocket')[], probe: string) {
    this.socket = io(`${nginx!.url}/realtime`, {
      transports,
      auth: { token },
      extraHeaders: { 'X-Probe': probe },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(this.socket);
    this.socket.onAny((event: string, payload: Body) => this.received.push({ event, payload }));
  }

  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve());
      this.socket.once('connect_error', reject);
    });
  }

  waitFor(event: string, matches: (payload: Body) => boolean): Promise<Body> {
    return eventually(
      `${event} on the client`,
      () => this.received.find((entry) => entry.event === event && matches(entry.payload))?.payload,
    );
  }
}

/** The one API process that served every request tagged `probe`. */
async function servedBy(probe: string): Promise<ApiProcess> {
  const upstreams = new Set((await logged(probe)).flatMap((entry) => entry.upstreams));
  expect([...upstreams]).toHaveLength(1);
  return apis.find((api) => upstreams.has(address(api)))!;
}

// ── tests ────────────────────────────────────────────────────────────────────────────────────

describe('three API processes behind nginx', () => {
  it(`refuses the ${LOGIN_LIMIT + 1}th login attempt within a minute whichever process gets it`, async () => {
    const username = `limited-${randomBytes(6).toString('hex')}`;
    const probe = newProbe('login');
    const attempt = (base: string, forgedAddress?: string) =>
      send(base, 'POST', '/api/auth/login', {
        body: { username, password: 'not-the-password' },
        probe,
        // nginx replaces X-Forwarded-For: a client cannot pass for many clients.
        headers: forgedAddress ? { 'X-Forwarded-For': forgedAddress } : {},
      });

    for (let n = 1; n <= LOGIN_LIMIT; n += 1) {
      expect((await attempt(nginx!.url, `203.0.113.${n}`)).status).toBe(401);
    }
    const spread = new Set((await logged(probe, LOGIN_LIMIT)).flatMap((entry) => entry.upstreams));
    expect(spread.size).toBe(3);

    const refused = await attempt(nginx!.url, '198.51.100.7');
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ success: false, statusCode: 429 });
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    for (const api of apis) expect((await attempt(api.url)).status).toBe(429);
  });

  it('delivers realtime events through nginx from changes made on another process', async () => {
    const pickup = freshArea();
    const [rider] = await insertAccounts(1, 1);
    const [driver] = await insertAccounts(2, 1, pickup);
    // Long-polling only: every poll must reach the process holding the session.
    const riderProbe = newProbe('rider-socket');
    const riderClient = new Client(rider.token, ['polling'], riderProbe);
    // Polling, then the upgrade to a websocket, which must reach the same process.
    const driverProbe = newProbe('driver-socket');
    const driverClient = new Client(driver.token, ['polling', 'websocket'], driverProbe);
    await Promise.all([riderClient.connected(), driverClient.connected()]);
    await eventually('the driver upgraded to a websocket', () =>
      driverClient.socket.io.engine.transport.name === 'websocket' ? true : undefined,
    );
    const riderOn = await servedBy(riderProbe);
    const driverOn = await servedBy(driverProbe);

    const requestedOn = apis.find((api) => api !== driverOn)!;
    const rideId = await requestRide(requestedOn.url, rider, pickup);
    const offer = await driverClient.waitFor(
      'ride.offered',
      (payload) => payload.ride?.id === rideId,
    );
    expect(offer.ride).toMatchObject({ id: rideId });

    const acceptedOn = apis.find((api) => api !== riderOn)!;
    const accepted = await send(acceptedOn.url, 'POST', `/api/rides/${rideId}/accept`, {
      token: driver.token,
    });
    expect(accepted.status).toBe(200);
    const update = await riderClient.waitFor('ride.updated', (ride) => ride.id === rideId);
    expect(update).toMatchObject({ id: rideId, status: 'ACCEPTED', driver: { id: driver.id } });
    expect(riderClient.socket.io.engine.transport.name).toBe('polling');
    expect(driverClient.socket.connected).toBe(true);
  });

  it('lets exactly one of 50 drivers accept a ride, their accepts spread over the three processes', async () => {
    const pickup = freshArea();
    const [rider] = await insertAccounts(1, 1);
    const drivers = await insertAccounts(2, 50, pickup);
    const rideId = await requestRide(nginx!.url, rider, pickup);
    // Ranked dispatch offers the ride to a batch of them within a window: every driver tries once
    // it is on offer, those offered racing each other and the rest refused as not offered.
    await waitUntil(
      `ride ${rideId} on offer`,
      async () => {
        const { rows } = await withClient(database!.url, (client) =>
          client.query(`SELECT 1 FROM "RideOffers" WHERE "rideId" = $1 AND status = 'live'`, [
            rideId,
          ]),
        );
        return rows.length > 0;
      },
      10_000,
    );
    const probe = newProbe('accept');

    const replies = await Promise.all(
      drivers.map((driver) =>
        send(nginx!.url, 'POST', `/api/rides/${rideId}/accept`, { token: driver.token, probe }),
      ),
    );

    const winners = replies.flatMap((reply, index) =>
      reply.status === 200 ? [drivers[index]] : [],
    );
    expect(winners).toHaveLength(1);
    const losers = replies.filter((reply) => reply.status !== 200);
    expect(losers.map((reply) => reply.status)).toEqual(Array(49).fill(409));
    for (const loser of losers)
      expect(loser.body).toMatchObject({ success: false, statusCode: 409 });
    const spread = new Set((await logged(probe, 50)).flatMap((entry) => entry.upstreams));
    expect(spread.size).toBe(3);

    const { rows } = await withClient(database!.url, (client) =>
      client.query(`SELECT status, "driverId" FROM "RideRequests" WHERE id = $1`, [rideId]),
    );
    expect(rows).toEqual([{ status: 'ACCEPTED', driverId: winners[0].id }]);
  });

  it('keeps answering when one process is killed under load: only requests in flight on it may fail', async () => {
    const [rider] = await insertAccounts(1, 1);
    const victim = apis[1];
    const probe = newProbe('load');
    const WORKERS = 9;
    const BEFORE_KILL = 90;
    const AFTER_EXIT = 90;

    interface Sent {
      method: 'GET' | 'POST';
      /** Started before the kill, between the kill and the process being gone, or after. */
      phase: 'before' | 'dying' | 'after';
      inFlightAtKill: boolean;
      /** 0 when the connection to nginx failed; undefined while in flight. */
      status?: number;
    }
    const requests: Sent[] = [];
    const { pickupAddress: _from, destinationAddress: _to, ...estimate } = trip(SF);
    let phase: Sent['phase'] = 'before';
    let running = true;
    const done = (which: Sent['phase']) =>
      requests.filter((sent) => sent.phase === which && sent.status !== undefined).length;

    async function worker(): Promise<void> {
      while (running) {
        // GET is retried by nginx even after it reached a dying process; POST is not.
        const sent: Sent = {
          method: requests.length % 2 === 0 ? 'GET' : 'POST',
          phase,
          inFlightAtKill: false,
        };
        requests.push(sent);
        const reply =
          sent.method === 'GET'
            ? send(nginx!.url, 'GET', '/api/auth/me', { token: rider.token, probe })
            : send(nginx!.url, 'POST', '/api/rides/estimate', {
                token: rider.token,
                probe,
                body: estimate,
              });
        sent.status = await reply.then(
          (answer) => answer.status,
          () => 0,
        );
      }
    }

    const workers = Array.from({ length: WORKERS }, () => worker());
    await eventually('load before the kill', () => done('before') >= BEFORE_KILL || undefined);
    phase = 'dying';
    for (const sent of requests) sent.inFlightAtKill = sent.status === undefined;
    await victim.kill();
    phase = 'after';
    await eventually('load after the kill', () => done('after') >= AFTER_EXIT || undefined, 30_000);
    running = false;
    await Promise.all(workers);

    const log = await logged(probe, requests.filter((sent) => sent.status !== 0).length);
    const victimServed = log.filter((entry) => entry.upstreams[0] === address(victim));
    expect(victimServed.length).toBeGreaterThan(0);

    const atRisk = requests.filter(
      (sent) => sent.method === 'POST' && (sent.inFlightAtKill || sent.phase === 'dying'),
    );
    const failures = requests.filter((sent) => sent.status !== 200);
    expect(failures.filter((sent) => !atRisk.includes(sent))).toEqual([]);
    expect(failures.length).toBeLessThanOrEqual(atRisk.length);
    // Each failure nginx answered was a request it had passed to the killed process.
    const failedInLog = log.filter((entry) => entry.status !== 200);
    expect(failedInLog.length).toBe(failures.filter((sent) => sent.status !== 0).length);
    for (const entry of failedInLog) expect(entry.upstreams).toContain(address(victim));
  }, 60_000);
});
