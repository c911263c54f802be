import { randomBytes } from 'node:crypto';
import { arrivalsFor, simulate } from '../../bench/simulate/city';
import { buildReport, doubleOffers } from '../../bench/simulate/report';
import type { OfferRecord, SimulationOptions } from '../../bench/simulate/trace';
import { type ApiProcess, buildApi, startApiProcess } from '../support/api-process';
import { createMigratedDatabase, type TestDatabase } from '../support/database';
import { withClient } from '../support/postgres';

/**
 * The city simulator (npm run simulate) at CI size against the built API in its own process:
 * whatever the dispatch mode, every request ends in a defined state, checked both from the
 * simulator's report and from the database, and no driver holds two live offers at once.
 */

const JWT_SECRET = randomBytes(36).toString('base64url');

/** About 6 km by 6 km of San Francisco: ten drivers are within reach of most pickups. */
const SMALL_CITY = { south: 37.75, west: -122.45, north: 37.8, east: -122.39 };

const TINY: Omit<SimulationOptions, 'apiUrl'> = {
  drivers: 10,
  riders: 20,
  rate: 4,
  seconds: 6,
  maxRequests: 20,
  seed: 7,
  acceptProbability: 0.7,
  reactionMs: 200,
  speedKmh: 30,
  // 2 km of driving per wall second: pickups and trips take seconds.
  timeScale: 240,
  locationSeconds: 2,
  drainSeconds: 6,
  area: SMALL_CITY,
  setupConcurrency: 8,
  progress: false,
};

describe('city simulator', () => {
  let database: TestDatabase | undefined;
  let api: ApiProcess | undefined;

  beforeAll(async () => {
    database = await createMigratedDatabase();
    await buildApi();
    api = await startApiProcess({
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      JWT_SECRET,
      REGISTRATIONS_PER_MINUTE: '100000',
      LOGIN_ATTEMPTS_PER_MINUTE: '100000',
      // Requests every driver declines expire within the run, as no_drivers_available.
      RIDE_REQUEST_TIMEOUT_SECONDS: '3',
      RIDE_EXPIRY_CHECK_SECONDS: '1',
    });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await database?.drop();
  }, 30_000);

  it('ends every request defined, with no driver holding two offers, within its bound', async () => {
    const trace = await simulate({ ...TINY, apiUrl: api!.url });
    const report = buildReport(trace, 'ci', 'test');

    // Requests for `seconds`, then at most `drainSeconds` for rides to finish (polled every 250 ms).
    expect(report.measuredSeconds).toBeLessThanOrEqual(TINY.seconds + TINY.drainSeconds + 0.5);
    expect(report.requests.arrivals).toBe(arrivalsFor({ ...TINY, apiUrl: '' }).length);
    expect(report.requests.created).toBe(report.requests.arrivals);
    expect(report.requests.matched).toBeGreaterThan(0);
    expect(report.offers.received).toBeGreaterThan(0);
    expect(report.invariants.undefinedEnds).toEqual([]);
    expect(report.invariants.doubleOffers).toEqual([]);
    expect(report.invariants.simulatorErrors).toEqual([]);
    expect(report.unexpected).toEqual({});
    expect(report.invariants.held).toBe(true);

    // The database agrees: nothing left under way, every cancellation with its reason.
    const rows = await withClient(database!.url, async (client) => {
      const { rows } = await client.query<{ status: string; reason: string | null; n: number }>(
        `SELECT status, "cancelReason" AS reason, count(*)::int AS n FROM "RideRequests"
         GROUP BY 1, 2`,
      );
      return rows;
    });
    const total = rows.reduce((sum, row) => sum + row.n, 0);
    expect(total).toBe(report.requests.created);
    for (const row of rows) {
      expect(row.status === 'COMPLETED' || (row.status === 'CANCELLED' && row.reason)).toBeTruthy();
    }
  }, 60_000);
});

describe('city simulator, offline parts', () => {
  const offer = (rideId: number, receivedAt: number, endedAt: number): OfferRecord => ({
    driver: 1,
    rideId,
    receivedAt,
    expiresAt: receivedAt + 15_000,
    endedAt,
    ending: 'decline',
  });

  it('flags a driver who held two expiring offers at once, and not one who held them in turn', () => {
    expect(doubleOffers([offer(1, 0, 5_000), offer(2, 4_000, 9_000)])).toEqual([
      { driver: 1, first: 1, second: 2, overlapMs: 1_000 },
    ]);
    expect(doubleOffers([offer(1, 0, 5_000), offer(2, 5_000, 9_000)])).toEqual([]);
  });

  it('makes the same requests from the same seed, and others from another', () => {
    const options = { ...TINY, apiUrl: '', maxRequests: 1_000, seconds: 60 };
    expect(arrivalsFor(options)).toEqual(arrivalsFor(options));
    expect(arrivalsFor({ ...options, seed: 8 })).not.toEqual(arrivalsFor(options));
  });
});
