import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { QueryTypes } from 'sequelize';
import { createApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/configuration';
import { RealtimeEvent, RealtimePublisher } from '../../src/realtime/realtime.publisher';
import { RideExpiryService } from '../../src/rides/ride-expiry.service';
import { RidesService } from '../../src/rides/rides.service';
import { type Account, bearer } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import {
  connectRealtime,
  createRide,
  insertDriver,
  insertRider,
  nextEvent,
  requestRide,
  rideAction,
  SF,
  storedRide,
} from '../support/rides';

/**
 * Unanswered ride requests are cancelled by the service (`system`, `no_drivers_available`) once
 * RIDE_REQUEST_TIMEOUT_SECONDS have passed: by a sweep, by the scheduled job, and exactly once
 * however many sweeps and instances run at the same moment.
 */

const TIMEOUT_SECONDS = 600;
/** No scheduled sweep during these tests: each one sweeps when it means to. */
const NO_SCHEDULED_SWEEP = '3600';

interface RideRow {
  id: number;
  status: string;
  cancelledBy: string | null;
  cancelReason: string | null;
  cancelledAt: Date | null;
}

async function rowsOf(t: TestApp, ids: number[]): Promise<RideRow[]> {
  return t.sequelize.query<RideRow>(
    `SELECT id, status, "cancelledBy", "cancelReason", "cancelledAt"
     FROM "RideRequests" WHERE id IN (:ids) ORDER BY id`,
    { replacements: { ids }, type: QueryTypes.SELECT },
  );
}

/** Moves the rides' requestedAt into the past, as if they had waited that long. */
async function requestedSecondsAgo(t: TestApp, ids: number[], seconds: number): Promise<void> {
  await t.sequelize.query(
    `UPDATE "RideRequests" SET "requestedAt" = now() - make_interval(secs => :seconds)
     WHERE id IN (:ids)`,
    { replacements: { ids, seconds } },
  );
}

/**
 * Waits until the database's clock has moved past `moment`, so that a second cancellation would
 * stamp a different cancelledAt.
 */
async function databaseClockPast(t: TestApp, moment: Date): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const [{ past }] = await t.sequelize.query<{ past: boolean }>(
      `SELECT clock_timestamp() > :moment AS past`,
      { replacements: { moment }, type: QueryTypes.SELECT },
    );
    if (past) return;
    if (Date.now() > deadline)
      throw new Error(`the database clock did not pass ${moment.toISOString()}`);
  }
}

const pick = (row: Record<string, unknown>) => ({
  status: row.status,
  driverId: row.driverId,
  cancelReason: row.cancelReason,
});

async function staleRequestedCount(t: TestApp): Promise<number> {
  const [row] = await t.sequelize.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "RideRequests"
     WHERE status = 'REQUESTED' AND "requestedAt" <= now() - make_interval(secs => :seconds)`,
    { replacements: { seconds: TIMEOUT_SECONDS }, type: QueryTypes.SELECT },
  );
  return row.n;
}

async function staleRides(t: TestApp, count: number): Promise<number[]> {
  const riders = await Promise.all(Array.from({ length: count }, () => insertRider(t)));
  const ids: number[] = [];
  for (const rider of riders) ids.push(await createRide(t, rider));
  await requestedSecondsAgo(t, ids, TIMEOUT_SECONDS + 60);
  return ids;
}

function expectExpired(row: RideRow | Record<string, unknown>): void {
  expect(row).toMatchObject({
    status: 'CANCELLED',
    cancelledBy: 'system',
    cancelReason: 'no_drivers_available',
  });
  expect(row.cancelledAt).toBeInstanceOf(Date);
  expect(Math.abs((row.cancelledAt as Date).getTime() - Date.now())).toBeLessThan(60_000);
}

/** Which ride ids each publisher announced as updated (ride.updated), one entry per emit. */
function recordRideUpdates(app: NestFastifyApplication, into: number[]): () => void {
  const publisher = app.get(RealtimePublisher);
  const original = publisher.toUsers.bind(publisher);
  const spy = jest.spyOn(publisher, 'toUsers').mockImplementation((userIds, event, payload) => {
    if (event === RealtimeEvent.RideUpdated) into.push((payload as { id: number }).id);
    original(userIds, event, payload);
  });
  return () => spy.mockRestore();
}

describe(`with RIDE_REQUEST_TIMEOUT_SECONDS=${TIMEOUT_SECONDS}`, () => {
  let t: TestApp;

  beforeAll(async () => {
    // Broadcast dispatch: drivers here accept without an offer, and are told of expiry by area.
    t = await createTestApp({
      DISPATCH_MODE: 'broadcast',
      RIDE_REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
      RIDE_EXPIRY_CHECK_SECONDS: NO_SCHEDULED_SWEEP,
    });
  });
  afterAll(() => t.close());

  it('cancels a ride unanswered for 11 minutes, but not one of 9 minutes or an accepted one', async () => {
    const staleRider = await insertRider(t);
    const freshRider = await insertRider(t);
    const acceptedRider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    const stale = await createRide(t, staleRider);
    const fresh = await createRide(t, freshRider);
    const accepted = await createRide(t, acceptedRider);
    expect((await rideAction(t, driver, accepted, 'accept')).status).toBe(200);
    await requestedSecondsAgo(t, [stale], 11 * 60);
    await requestedSecondsAgo(t, [fresh], 9 * 60);
    await requestedSecondsAgo(t, [accepted], 30 * 60);

    await t.app.get(RideExpiryService).sweep();

    const view = await t.http.get(`/api/rides/${stale}`).set('Authorization', bearer(staleRider));
    expect(view.status).toBe(200);
    expect(view.body.ride).toMatchObject({
      status: 'CANCELLED',
      cancelledBy: 'system',
      cancelReason: 'no_drivers_available',
      driver: null,
    });
    expect(view.body.ride.cancelledAt).toEqual(expect.any(String));
    expectExpired(await storedRide(t, stale));
    expect(await storedRide(t, fresh)).toMatchObject({
      status: 'REQUESTED',
      cancelledAt: null,
      cancelledBy: null,
    });
    expect(await storedRide(t, accepted)).toMatchObject({
      status: 'ACCEPTED',
      driverId: driver.id,
      cancelledAt: null,
    });
    expect(
      (await t.http.get('/api/rides/me/active').set('Authorization', bearer(staleRider))).body,
    ).toEqual({ success: true, ride: null });

    // The rider is free to ask again.
    const again = await requestRide(t, staleRider);
    expect(again.status).toBe(201);
    expect(again.body.ride.status).toBe('REQUESTED');
  });

  it('leaves a cancelled ride as it is on later sweeps', async () => {
    const [rideId] = await staleRides(t, 1);
    await t.app.get(RideExpiryService).sweep();
    const [first] = await rowsOf(t, [rideId]);
    expectExpired(first);
    await databaseClockPast(t, first.cancelledAt!);
    await t.app.get(RideExpiryService).sweep();
    expect(await t.app.get(RidesService).expireUnanswered()).toBe(0);
    const [later] = await rowsOf(t, [rideId]);
    expect(later).toEqual(first);
  });

  it('settles a sweep racing a driver’s accept: the ride is either expired or accepted, never both', async () => {
    for (let round = 0; round < 15; round += 1) {
      const rider = await insertRider(t);
      const driver = await insertDriver(t, { at: SF });
      const rideId = await createRide(t, rider);
      await requestedSecondsAgo(t, [rideId], TIMEOUT_SECONDS + 60);

      const [expired, accept] = await Promise.all([
        t.app.get(RidesService).expireUnanswered(),
        rideAction(t, driver, rideId, 'accept'),
      ]);
      const stored = await storedRide(t, rideId);
      if (accept.status === 200) {
        expect({ expired, status: stored.status, driverId: stored.driverId }).toEqual({
          expired: 0,
          status: 'ACCEPTED',
          driverId: driver.id,
        });
      } else {
        expect({ accept: accept.status, message: accept.body.message }).toEqual({
          accept: 409,
          message: expect.stringContaining('is CANCELLED'),
        });
        expect({ expired, ...pick(stored) }).toEqual({
          expired: 1,
          status: 'CANCELLED',
          driverId: null,
          cancelReason: 'no_drivers_available',
        });
      }
      if (stored.status === 'ACCEPTED') await rideAction(t, rider, rideId, 'cancel').expect(200);
    }
  });

  it('cancels each of 50 stale rides exactly once when 10 sweeps run at the same time', async () => {
    const rides = t.app.get(RidesService);
    await rides.expireUnanswered();
    const ids = await staleRides(t, 50);
    expect(await staleRequestedCount(t)).toBe(50);

    const announced: number[] = [];
    const restore = recordRideUpdates(t.app, announced);
    try {
      const counts = await Promise.all(Array.from({ length: 10 }, () => rides.expireUnanswered()));
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(50);
    } finally {
      restore();
    }
    expect([...announced].sort((a, b) => a - b)).toEqual(ids);

    const rows = await rowsOf(t, ids);
    expect(rows).toHaveLength(50);
    rows.forEach(expectExpired);
    const cancelledAt = rows.map((row) => row.cancelledAt!.getTime());

    const later = await Promise.all(Array.from({ length: 5 }, () => rides.expireUnanswered()));
    expect(later).toEqual([0, 0, 0, 0, 0]);
    expect((await rowsOf(t, ids)).map((row) => row.cancelledAt!.getTime())).toEqual(cancelledAt);
  });

  it('tells the rider (ride.updated) and nearby drivers (ride.taken) when a request expires', async () => {
    const baseUrl = t.baseUrl;
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    const riderSocket = await connectRealtime(baseUrl, rider.accessToken);
    const driverSocket = await connectRealtime(baseUrl, driver.accessToken);
    try {
      const rideId = await createRide(t, rider);
      await requestedSecondsAgo(t, [rideId], TIMEOUT_SECONDS + 1);
      const updated = nextEvent<Record<string, unknown>>(riderSocket, 'ride.updated');
      const taken = nextEvent<Record<string, unknown>>(driverSocket, 'ride.taken');
      await t.app.get(RideExpiryService).sweep();
      expect(await updated).toMatchObject({
        id: rideId,
        riderId: rider.id,
        status: 'CANCELLED',
        cancelledBy: 'system',
        cancelReason: 'no_drivers_available',
      });
      expect(await taken).toEqual({ rideId, status: 'CANCELLED' });
    } finally {
      riderSocket.close();
      driverSocket.close();
    }
  });
});

/**
 * A second Nest app on the same database, as a second instance of the API would be. sequelize-typescript
 * binds the model classes to the Sequelize instance created last in the process, so once the second
 * app is closed this file's app is not used again: this describe has an app of its own.
 */
describe('two instances on one database', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Broadcast dispatch: drivers here accept without an offer, and are told of expiry by area.
    t = await createTestApp({
      DISPATCH_MODE: 'broadcast',
      RIDE_REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
      RIDE_EXPIRY_CHECK_SECONDS: NO_SCHEDULED_SWEEP,
    });
  });
  afterAll(() => t.close());

  it('cancels each stale ride once when both sweep at the same time', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: t.database.url,
      RIDE_REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS),
      RIDE_EXPIRY_CHECK_SECONDS: NO_SCHEDULED_SWEEP,
    });
    const second = await createApp(config);
    try {
      await second.init();
      const here = t.app.get(RidesService);
      const there = second.get(RidesService);
      expect(there).not.toBe(here);
      await here.expireUnanswered();
      const ids = await staleRides(t, 40);
      expect(await staleRequestedCount(t)).toBe(40);

      const announced: number[] = [];
      const restoreHere = recordRideUpdates(t.app, announced);
      const restoreThere = recordRideUpdates(second, announced);
      let counts: number[];
      try {
        counts = await Promise.all(
          Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? here : there).expireUnanswered()),
        );
        await Promise.all([
          t.app.get(RideExpiryService).sweep(),
          second.get(RideExpiryService).sweep(),
        ]);
      } finally {
        restoreHere();
        restoreThere();
      }
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(40);
      // Each ride reported by exactly one instance: the one whose write cancelled it.
      expect([...announced].sort((a, b) => a - b)).toEqual(ids);
      (await rowsOf(t, ids)).forEach(expectExpired);
    } finally {
      await second.close();
    }
  });
});

describe('the scheduled expiry job', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      DISPATCH_MODE: 'broadcast',
      RIDE_REQUEST_TIMEOUT_SECONDS: '1',
      RIDE_EXPIRY_CHECK_SECONDS: '1',
    });
  });
  afterAll(() => t.close());

  async function statusOf(rider: Account, rideId: number) {
    const response = await t.http.get(`/api/rides/${rideId}`).set('Authorization', bearer(rider));
    expect(response.status).toBe(200);
    return response.body.ride as { status: string; cancelledBy: string; cancelReason: string };
  }

  it('cancels an unanswered request by itself within seconds, and leaves an accepted one', async () => {
    const rider = await insertRider(t);
    const acceptedRider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    // Requested first: the sweep that cancels the later, unanswered request sees this one past
    // the timeout as well.
    const accepted = await createRide(t, acceptedRider);
    expect((await rideAction(t, driver, accepted, 'accept')).status).toBe(200);
    const started = Date.now();
    const created = await requestRide(t, rider);
    expect(created.status).toBe(201);
    expect(created.body.ride.status).toBe('REQUESTED');
    const rideId = created.body.ride.id as number;

    let ride = await statusOf(rider, rideId);
    while (ride.status === 'REQUESTED' && Date.now() - started < 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      ride = await statusOf(rider, rideId);
    }
    expect(ride).toMatchObject({
      status: 'CANCELLED',
      cancelledBy: 'system',
      cancelReason: 'no_drivers_available',
    });
    expect(Date.now() - started).toBeLessThan(5_000);

    // Past the timeout, and swept while it was, the accepted ride is untouched.
    expect(await statusOf(acceptedRider, accepted)).toMatchObject({ status: 'ACCEPTED' });
  });
});
