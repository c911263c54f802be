import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateUp, runSeeders } from '../../db/migrator';
import { type ApiProcess, buildApi, freePort, startApiProcess } from '../support/api-process';
import { type ClusterProcess, startCluster } from '../support/cluster-process';
import {
  insertRiders,
  type Outcome,
  type RideLoad,
  rideLoad,
  timedRequest,
  waitUntil,
} from '../support/load';
import { withClient } from '../support/postgres';

/**
 * PostgreSQL stops while riders are booking and comes back: the API answers every request quickly
 * (503 while the database is away), says so on /api/health, recovers by itself, and loses no ride
 * it acknowledged. The cluster is one this file starts and stops, never the machine's own.
 */

const JWT_SECRET = randomBytes(36).toString('base64url');
const FAIL_FAST_MS = 2_000;
const RIDERS = 8;

describe('PostgreSQL goes away under load', () => {
  let folder: string;
  let port: number;
  let cluster: ClusterProcess | undefined;
  let api: ApiProcess | undefined;
  let load: RideLoad | undefined;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'swiftride-fault-'));
    chmodSync(folder, 0o755); // PostgreSQL runs as its own OS user and must reach the data folder
    port = await freePort();
    await buildApi();
    cluster = await startCluster(join(folder, 'data'), port);
    await migrateUp(cluster.url);
    await runSeeders(cluster.url, {});
    api = await startApiProcess({
      NODE_ENV: 'test',
      DATABASE_URL: cluster.url,
      JWT_SECRET,
    });
  }, 120_000);

  afterAll(async () => {
    await load?.stop();
    await api?.stop();
    await cluster?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  }, 60_000);

  const health = () => timedRequest(api!.url, 'GET', '/api/health');
  const count = (outcomes: Outcome[], status: number, from = 0) =>
    outcomes.slice(from).filter((outcome) => outcome.status === status).length;

  it('fails fast with 503 while it is away, recovers without a restart and keeps every acknowledged ride', async () => {
    const riders = await insertRiders(cluster!.url, JWT_SECRET, RIDERS);
    load = rideLoad(api!.url, riders);
    const { outcomes, acknowledged } = load;

    await waitUntil('20 rides acknowledged', () => acknowledged.length >= 20, 30_000);
    await cluster!.stop();
    cluster = undefined;
    const stoppedAt = outcomes.length;
    await waitUntil(
      '20 answers of 503 under load',
      () => count(outcomes, 503, stoppedAt) >= 20,
      30_000,
    );
    const down = await health();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ status: 'error', database: 'down' });
    expect(down.ms).toBeLessThan(FAIL_FAST_MS + 500);

    cluster = await startCluster(join(folder, 'data'), port);
    const ackedBeforeRestart = acknowledged.length;
    await waitUntil('/api/health up again', async () => (await health()).status === 200, 30_000);
    await waitUntil(
      '20 more rides acknowledged',
      () => acknowledged.length >= ackedBeforeRestart + 20,
      30_000,
    );
    await load.stop();

    const unanswered = outcomes.filter((outcome) => typeof outcome.status !== 'number');
    expect(unanswered).toEqual([]);
    const slow = outcomes.filter((outcome) => outcome.ms >= FAIL_FAST_MS);
    expect(slow).toEqual([]);
    const unexpected = outcomes.filter((o) => ![200, 201, 409, 503].includes(o.status as number));
    expect(unexpected).toEqual([]);
    // A 409 only for a ride whose 201 was lost to the outage, which the rider then cancels.
    for (const outcome of outcomes.filter((o) => o.status === 409)) {
      expect(outcome.body).toMatchObject({ message: expect.stringMatching(/active ride/) });
    }
    for (const outcome of outcomes.filter((o) => o.status === 503)) {
      expect(outcome.body).toEqual({
        success: false,
        statusCode: 503,
        error: 'Service Unavailable',
        code: 'SERVICE_UNAVAILABLE',
        message: 'The database is unavailable; try again shortly',
        requestId: expect.any(String),
      });
    }

    const stored = await withClient(cluster.url, (client) =>
      client.query<{ id: number }>('SELECT id FROM "RideRequests" WHERE id = ANY($1::int[])', [
        acknowledged,
      ]),
    );
    expect(stored.rows.map((row) => row.id).sort((a, b) => a - b)).toEqual(
      [...acknowledged].sort((a, b) => a - b),
    );
    expect(api!.output()).not.toMatch(/at \S+ \(|SELECT|INSERT/);
  }, 150_000);
});
