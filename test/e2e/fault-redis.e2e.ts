import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { type ApiProcess, buildApi, freePort, startApiProcess } from '../support/api-process';
import { createMigratedDatabase, type TestDatabase } from '../support/database';
import { insertRiders, type Outcome, timedRequest, trip, waitUntil } from '../support/load';
import { type RedisProcess, startRedis } from '../support/redis-process';

/**
 * Redis (shared rate-limit counters, realtime across instances) goes away and comes back under
 * two API processes: no 5xx and no waiting on it, each process falls back to its own counters and
 * its own clients with one warning, and both share again once Redis is back. The Redis is one this
 * file starts and kills, never the machine's own.
 */

const JWT_SECRET = randomBytes(36).toString('base64url');
const LIMIT = 3;
const PROMPT_MS = 2_000;

describe('Redis goes away', () => {
  let database: TestDatabase | undefined;
  let redis: RedisProcess | undefined;
  let redisPort: number;
  const processes: ApiProcess[] = [];
  let a: ApiProcess;
  let b: ApiProcess;
  const sockets: Socket[] = [];
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    database = await createMigratedDatabase();
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    await buildApi();
    const env = {
      // Not `test`, which keeps only warnings and errors: the line saying Redis is back is a log.
      NODE_ENV: 'development',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      JWT_SECRET,
      LOGIN_ATTEMPTS_PER_MINUTE: String(LIMIT),
    };
    const started = await Promise.allSettled([startApiProcess(env), startApiProcess(env)]);
    for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    [a, b] = processes;
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all(processes.map((api) => api.stop()));
    await redis?.stop();
    await database?.drop();
  }, 30_000);

  const attemptLogin = async (api: ApiProcess, username: string) => {
    const outcome = await timedRequest(api.url, 'POST', '/api/auth/login', {
      body: { username, password: 'not-the-password' },
    });
    outcomes.push(outcome);
    return outcome.status;
  };
  const unseenUsername = () => `redis-fault-${randomBytes(6).toString('hex')}`;

  /** A rider connected to `on`, whose ride is requested and cancelled through `through`. */
  async function rideUpdateReaches(on: ApiProcess, through: ApiProcess): Promise<void> {
    const [rider] = await insertRiders(database!.url, JWT_SECRET, 1);
    const socket = io(`${on.url}/realtime`, {
      transports: ['websocket'],
      auth: { token: rider.token },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const updates: { id: number; status: string }[] = [];
    socket.on('ride.updated', (ride: { id: number; status: string }) => updates.push(ride));
    const created = await timedRequest(through.url, 'POST', '/api/rides', {
      token: rider.token,
      body: trip(),
    });
    outcomes.push(created);
    expect(created.status).toBe(201);
    const rideId = (created.body as { ride: { id: number } }).ride.id;
    const cancel = await timedRequest(through.url, 'POST', `/api/rides/${rideId}/cancel`, {
      token: rider.token,
      body: {},
    });
    outcomes.push(cancel);
    expect(cancel.status).toBe(200);
    await waitUntil(
      `ride.updated for ride ${rideId} on the other process`,
      () => updates.some((ride) => ride.id === rideId && ride.status === 'CANCELLED'),
      5_000,
    );
    socket.close();
  }

  const warnings = (api: ApiProcess) => api.output().match(/WARN.*Redis unreachable/g) ?? [];

  it('shares limits and events while Redis is up', async () => {
    const username = unseenUsername();
    expect(await attemptLogin(a, username)).toBe(401);
    expect(await attemptLogin(a, username)).toBe(401);
    expect(await attemptLogin(b, username)).toBe(401);
    expect(await attemptLogin(b, username)).toBe(429);
    await rideUpdateReaches(a, b);
  });

  it('falls back to each process on its own, with one warning, while Redis is away', async () => {
    await redis!.stop();
    redis = undefined;

    const username = unseenUsername();
    for (let attempt = 1; attempt <= LIMIT; attempt += 1) {
      expect(await attemptLogin(a, username)).toBe(401);
    }
    expect(await attemptLogin(a, username)).toBe(429);
    // B counts on its own: the attempts on A are not seen there.
    expect(await attemptLogin(b, username)).toBe(401);
    await rideUpdateReaches(a, a);
    await rideUpdateReaches(b, b);

    await waitUntil('a warning from each process', () => warnings(a).length > 0, 5_000);
    await waitUntil('a warning from each process', () => warnings(b).length > 0, 5_000);
    // Reconnect attempts go on every few hundred milliseconds: still one line each.
    const more = unseenUsername();
    for (let attempt = 1; attempt <= LIMIT; attempt += 1) await attemptLogin(b, more);
    expect(warnings(a)).toHaveLength(1);
    expect(warnings(b)).toHaveLength(1);
  }, 30_000);

  it('shares limits and events again once Redis is back', async () => {
    redis = await startRedis(redisPort);
    const back = (api: ApiProcess) => /Redis reachable again/.test(api.output());
    await waitUntil('both processes back on Redis', () => back(a) && back(b), 15_000);

    const username = unseenUsername();
    expect(await attemptLogin(a, username)).toBe(401);
    expect(await attemptLogin(b, username)).toBe(401);
    expect(await attemptLogin(a, username)).toBe(401);
    expect(await attemptLogin(b, username)).toBe(429);
    await rideUpdateReaches(b, a);
  }, 30_000);

  afterAll(() => {
    // Every answer, through the whole outage: prompt, and never a server error.
    expect(outcomes.filter((o) => typeof o.status !== 'number' || o.status >= 500)).toEqual([]);
    expect(outcomes.filter((o) => o.ms >= PROMPT_MS)).toEqual([]);
  });
});
