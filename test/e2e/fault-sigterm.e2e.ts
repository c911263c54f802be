import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { type ApiProcess, buildApi, startApiProcess } from '../support/api-process';
import { createMigratedDatabase, type TestDatabase } from '../support/database';
import { insertRiders, type RideLoad, rideLoad, waitUntil } from '../support/load';
import { withClient } from '../support/postgres';

/**
 * SIGTERM while riders are booking (a deploy or a scale-down): requests already received are
 * answered, new connections are refused, realtime clients are told to reconnect (elsewhere), and
 * the process exits 0 within 10 s.
 */

const JWT_SECRET = randomBytes(36).toString('base64url');
const EXIT_MS = 10_000;

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('SIGTERM under load', () => {
  let database: TestDatabase | undefined;
  let api: ApiProcess | undefined;
  let load: RideLoad | undefined;
  let socket: Socket | undefined;

  beforeAll(async () => {
    database = await createMigratedDatabase();
    await buildApi();
    api = await startApiProcess({ NODE_ENV: 'test', DATABASE_URL: database.url, JWT_SECRET });
  }, 60_000);

  afterAll(async () => {
    socket?.close();
    await load?.stop();
    await api?.stop();
    await database?.drop();
  }, 30_000);

  it('answers what it received, refuses new connections, sends clients to reconnect and exits 0', async () => {
    const riders = await insertRiders(database!.url, JWT_SECRET, 8);
    socket = io(`${api!.url}/realtime`, {
      transports: ['websocket'],
      auth: { token: riders[0].token },
      forceNew: true,
      reconnectionAttempts: 3,
      reconnectionDelay: 100,
    });
    await new Promise<void>((resolve, reject) => {
      socket!.once('connect', resolve);
      socket!.once('connect_error', reject);
    });
    let disconnect: { reason: string; willReconnect: boolean } | undefined;
    socket.once('disconnect', (reason) => {
      disconnect = { reason, willReconnect: socket!.active };
    });

    load = rideLoad(api!.url, riders);
    const { outcomes, acknowledged } = load;
    await waitUntil('20 rides acknowledged', () => acknowledged.length >= 20, 30_000);

    const signalledAt = outcomes.length;
    const started = Date.now();
    process.kill(api!.pid, 'SIGTERM');
    await waitUntil('new connections refused', () => refused(api!.port), EXIT_MS);
    const exit = await Promise.race([
      api!.exited,
      new Promise((resolve) => setTimeout(() => resolve('still running'), EXIT_MS)),
    ]);
    const elapsed = Date.now() - started;
    await load.stop();

    expect(exit).toBe(0);
    expect(elapsed).toBeLessThan(EXIT_MS);
    expect(disconnect).toEqual({ reason: 'transport close', willReconnect: true });

    // Requests in flight when the signal came were answered, and none with a server error.
    const answeredAfter = outcomes.slice(signalledAt).filter((o) => typeof o.status === 'number');
    expect(answeredAfter.length).toBeGreaterThan(0);
    const failed = outcomes.filter(
      (o) => o.status === 'hang' || (typeof o.status === 'number' && o.status >= 500),
    );
    expect(failed).toEqual([]);
    // Anything else failed before the API read it: a refused or reset connection.
    for (const outcome of outcomes.filter((o) => o.status === 'network')) {
      expect(outcome.error).toMatch(/ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|other side closed/);
    }
    // No ride was stored without its 201 reaching the rider.
    const stored = await withClient(database!.url, (client) =>
      client.query<{ id: number }>(
        'SELECT id FROM "RideRequests" WHERE "riderId" = ANY($1::int[]) ORDER BY id',
        [riders.map((rider) => rider.id)],
      ),
    );
    expect(stored.rows.map((row) => row.id)).toEqual([...acknowledged].sort((a, b) => a - b));
    api = undefined;
  }, 60_000);
});
