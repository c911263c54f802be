import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { QueryTypes } from 'sequelize';
import { AuthModule } from '../../src/auth/auth.module';
import type { Caller } from '../../src/common/auth/auth.decorators';
import { RIDER_ROLE_ID } from '../../src/common/built-ins';
import { DomainError } from '../../src/common/errors/domain-error';
import { Dispatcher } from '../../src/rides/dispatch/dispatcher';
import { DriverStandingService } from '../../src/rides/driver-standing.service';
import { RidesModule } from '../../src/rides/rides.module';
import { RidesService } from '../../src/rides/rides.service';
import {
  createModuleTest,
  insertDriver,
  insertRide,
  insertUser,
  type ModuleTest,
} from '../support/nest-db';
import { createTestApp } from '../support/app';
import { waitUntil } from '../support/load';

/**
 * Ranked dispatch on a real database with a controlled clock: each run of the dispatcher is given
 * its "now" (offers are stamped and expired by it), so a 15-second offer window takes no time.
 * Accepts and declines use the database's clock, as in production.
 */

type Point = { latitude: number; longitude: number };
const METRES_PER_DEGREE = 111_195;
const north = (origin: Point, metres: number): Point => ({
  latitude: origin.latitude + metres / METRES_PER_DEGREE,
  longitude: origin.longitude,
});
const east = (origin: Point, metres: number): Point => ({
  latitude: origin.latitude,
  longitude:
    origin.longitude + metres / (METRES_PER_DEGREE * Math.cos((origin.latitude * Math.PI) / 180)),
});

/** Default configuration: batches of 3, 15-second offers, radius steps 2, 5 and 10 km. */
const CENTRE = { latitude: 37.7749, longitude: -122.4194 };

interface OfferRow {
  rideId: number;
  driverId: number;
  batch: number;
  status: string;
  expiresAt: Date;
}

describe('ranked dispatch', () => {
  let t: ModuleTest;
  let dispatcher: Dispatcher;
  let rides: RidesService;
  let t0: number;
  const at = (seconds: number) => new Date(t0 + seconds * 1000);
  const driverCaller = (id: number): Caller => ({ id, role: 'driver' }) as Caller;

  beforeAll(async () => {
    t = await createModuleTest([AuthModule, RidesModule], { DISPATCH_MAX_MISSED_OFFERS: '3' });
    dispatcher = t.get(Dispatcher);
    rides = t.get(RidesService);
  });

  afterAll(() => t?.close());

  // Each test starts with nobody online and nothing requested.
  beforeEach(async () => {
    await t.sequelize.query(`UPDATE "RideOffers" SET status = 'withdrawn', "endedAt" = now()
      WHERE status = 'live'`);
    await t.sequelize.query(`UPDATE "RideRequests" SET status = 'CANCELLED', "cancelledAt" = now(),
      "cancelledBy" = 'admin' WHERE status IN ('REQUESTED', 'ACCEPTED', 'ARRIVING', 'IN_PROGRESS')`);
    await t.sequelize.query(`UPDATE "DriverProfiles" SET "isOnline" = false`);
    t0 = Date.now();
  });

  const rider = () => insertUser(t, RIDER_ROLE_ID);
  const driverAt = (at: Point) => insertDriver(t, { at });
  const rideAt = async (pickup: Point) => insertRide(t, { riderId: await rider(), pickup });
  const offersOf = (rideId: number) =>
    t.select<OfferRow>(
      `SELECT "rideId", "driverId", batch, status, "expiresAt" FROM "RideOffers"
       WHERE "rideId" = :rideId ORDER BY batch, "distanceMeters"`,
      { rideId },
    );
  const live = async (rideId: number) =>
    (await offersOf(rideId)).filter((offer) => offer.status === 'live').map((o) => o.driverId);
  const rideRow = async (rideId: number) => {
    const [row] = await t.select<{ status: string; driverId: number | null; dispatchStep: number }>(
      `SELECT status, "driverId", "dispatchStep" FROM "RideRequests" WHERE id = :rideId`,
      { rideId },
    );
    return row;
  };

  it('offers a ride to its three nearest free drivers at once, each offer for 15 s', async () => {
    const near = [];
    for (const metres of [300, 600, 900, 1200]) near.push(await driverAt(north(CENTRE, metres)));
    await insertDriver(t, { at: north(CENTRE, 100), online: false });
    await insertDriver(t, { at: north(CENTRE, 100), serviceTypeId: 2 });
    await insertDriver(t, { at: north(CENTRE, 100), reportedSecondsAgo: 600 });
    const rideId = await rideAt(CENTRE);

    await dispatcher.run({ now: at(0) });

    const offers = await offersOf(rideId);
    expect(offers.map((offer) => [offer.driverId, offer.batch, offer.status])).toEqual([
      [near[0], 1, 'live'],
      [near[1], 1, 'live'],
      [near[2], 1, 'live'],
    ]);
    for (const offer of offers) expect(new Date(offer.expiresAt).getTime()).toBe(t0 + 15_000);
  });

  it('sends the next batch once every offer of the last one was declined or expired', async () => {
    const drivers = [];
    for (const metres of [100, 200, 300, 400, 500])
      drivers.push(await driverAt(north(CENTRE, metres)));
    const rideId = await rideAt(CENTRE);
    await dispatcher.run({ now: at(0) });
    expect(await live(rideId)).toEqual(drivers.slice(0, 3));

    await rides.decline(rideId, drivers[0]);
    await rides.decline(rideId, drivers[1]);
    await dispatcher.run({ now: at(5) });
    expect(await live(rideId)).toEqual([drivers[2]]);

    // The third lets it expire: the batch has ended, the next goes to the two drivers left.
    await dispatcher.run({ now: at(16) });
    const offers = await offersOf(rideId);
    expect(offers.map((offer) => [offer.driverId, offer.batch, offer.status])).toEqual([
      [drivers[0], 1, 'declined'],
      [drivers[1], 1, 'declined'],
      [drivers[2], 1, 'expired'],
      [drivers[3], 2, 'live'],
      [drivers[4], 2, 'live'],
    ]);
  });

  it('widens the radius step by step when nobody is left within it', async () => {
    const at4km = await driverAt(north(CENTRE, 4_000));
    const rideId = await rideAt(CENTRE);

    await dispatcher.run({ now: at(0) });
    expect(await live(rideId)).toEqual([at4km]);
    expect((await rideRow(rideId)).dispatchStep).toBe(1);

    const at8km = await driverAt(north(CENTRE, 8_000));
    await rides.decline(rideId, at4km);
    await dispatcher.run({ now: at(1) });
    expect(await live(rideId)).toEqual([at8km]);
    expect((await rideRow(rideId)).dispatchStep).toBe(2);
  });

  it('keeps trying at the last step, and gives up after RIDE_REQUEST_TIMEOUT_SECONDS', async () => {
    const rideId = await rideAt(CENTRE);
    await driverAt(north(CENTRE, 12_000));
    await dispatcher.run({ now: at(0) });
    expect(await offersOf(rideId)).toEqual([]);
    expect((await rideRow(rideId)).dispatchStep).toBe(2);

    const late = await driverAt(north(CENTRE, 9_000));
    await dispatcher.run({ now: at(30) });
    expect(await live(rideId)).toEqual([late]);

    await t.sequelize.query(
      `UPDATE "RideRequests" SET "requestedAt" = now() - interval '11 minutes' WHERE id = :rideId`,
      { replacements: { rideId } },
    );
    expect(await rides.expireUnanswered()).toBe(1);
    expect((await rideRow(rideId)).status).toBe('CANCELLED');
    expect((await offersOf(rideId)).map((offer) => offer.status)).toEqual(['withdrawn']);
  });

  it('deals with more rides than one claim holds, once each, in one run', async () => {
    const rideIds = [];
    for (let i = 0; i < 55; i++) rideIds.push(await rideAt(north(CENTRE, -20_000 - i * 10)));
    await dispatcher.run({ now: at(0) });
    const steps = await t.select<{ dispatchStep: number }>(
      `SELECT "dispatchStep" FROM "RideRequests" WHERE id IN (:rideIds)`,
      { rideIds },
    );
    // Nobody near any of them: every one was searched at every step, and the run ended.
    expect(steps.map((row) => row.dispatchStep)).toEqual(rideIds.map(() => 2));
  });

  it('starts no round after the one under way once the process is stopping; the next run takes the rest', async () => {
    const rideIds: number[] = [];
    for (let i = 0; i < 55; i++) rideIds.push(await rideAt(north(CENTRE, -20_000 - i * 10)));
    const stepsSearched = async () =>
      (
        await t.select<{ dispatchStep: number }>(
          `SELECT "dispatchStep" FROM "RideRequests" WHERE id IN (:rideIds) ORDER BY id`,
          { rideIds },
        )
      ).map((row) => row.dispatchStep);
    const stopping = new AbortController();
    stopping.abort();

    await dispatcher.run({ now: at(0), stopping: stopping.signal });
    const afterOneRound = await stepsSearched();
    expect(afterOneRound.filter((step) => step === 2)).toHaveLength(50);
    expect(afterOneRound.filter((step) => step === 0)).toHaveLength(5);

    await dispatcher.run({ now: at(1) });
    expect(await stepsSearched()).toEqual(rideIds.map(() => 2));
  });

  it('gives a driver wanted by two requests at once to one of them only', async () => {
    const driver = await driverAt(CENTRE);
    const first = await rideAt(north(CENTRE, 500));
    const second = await rideAt(north(CENTRE, -300));
    await Promise.all([
      dispatcher.run({ now: at(0), rideIds: [first] }),
      dispatcher.run({ now: at(0), rideIds: [second] }),
    ]);
    const offered = [...(await live(first)), ...(await live(second))];
    expect(offered).toEqual([driver]);
  });

  it('never offers a ride twice when dispatchers run at once', async () => {
    // Each run is its own transaction on its own connection, as the runs of several API
    // processes are (a process's timer never overlaps its own runs).
    const drivers = [];
    for (let i = 0; i < 24; i++) drivers.push(await driverAt(north(CENTRE, 100 + i * 50)));
    const rideIds = [];
    for (let i = 0; i < 8; i++) rideIds.push(await rideAt(north(CENTRE, i * 100)));
    await Promise.all([0, 1, 2, 3].map(() => dispatcher.run({ now: at(0) })));

    const offers = await t.select<{ rideId: number; driverId: number; batch: number }>(
      `SELECT "rideId", "driverId", batch FROM "RideOffers" WHERE "rideId" IN (:rideIds)`,
      { rideIds },
    );
    const batches = await t.select<{ id: number; dispatchBatch: number }>(
      `SELECT id, "dispatchBatch" FROM "RideRequests" WHERE id IN (:rideIds) ORDER BY id`,
      { rideIds },
    );
    // One batch per ride, never more than its three offers, no driver offered two rides.
    expect(offers.length).toBeGreaterThanOrEqual(rideIds.length);
    expect(new Set(offers.map((offer) => offer.driverId)).size).toBe(offers.length);
    expect(offers.every((offer) => offer.batch === 1)).toBe(true);
    const perRide = rideIds.map((rideId) => ({
      offers: offers.filter((offer) => offer.rideId === rideId).length,
      dispatchBatch: batches.find((row) => row.id === rideId)!.dispatchBatch,
    }));
    for (const ride of perRide) {
      expect(ride.offers).toBeGreaterThanOrEqual(1);
      expect(ride.offers).toBeLessThanOrEqual(3);
      expect(ride.dispatchBatch).toBe(1);
    }
  });

  it('lets an offered driver accept only while the offer lives, whichever of accept and expiry comes first', async () => {
    for (let round = 0; round < 8; round++) {
      const driver = await driverAt(north(CENTRE, 100));
      const rideId = await rideAt(CENTRE);
      // The offer lapses about now, by the database's clock too.
      await dispatcher.run({ now: new Date(Date.now() - 15_000 + round * 5), rideIds: [rideId] });
      const [accepted] = await Promise.allSettled([
        rides.accept(rideId, driverCaller(driver)),
        dispatcher.run({ now: new Date(Date.now() + 1_000) }),
      ]);
      const [offer] = await offersOf(rideId);
      const ride = await rideRow(rideId);
      if (accepted.status === 'fulfilled') {
        expect({ offer: offer.status, ride }).toMatchObject({
          offer: 'accepted',
          ride: { status: 'ACCEPTED', driverId: driver },
        });
      } else {
        expect((accepted.reason as DomainError).message).toMatch(
          /offer for ride \d+ has expired|was not offered to you/,
        );
        expect({ offer: offer.status, ride }).toMatchObject({
          offer: 'expired',
          ride: { status: 'REQUESTED', driverId: null },
        });
      }
      await t.sequelize.query(`UPDATE "DriverProfiles" SET "isOnline" = false`);
    }
  });

  it('settles a decline and an accept sent at once by the same driver one way', async () => {
    for (let round = 0; round < 8; round++) {
      const driver = await driverAt(north(CENTRE, 100));
      const rideId = await rideAt(CENTRE);
      await dispatcher.run({ now: new Date(), rideIds: [rideId] });
      const [accepted, declined] = await Promise.allSettled([
        rides.accept(rideId, driverCaller(driver)),
        rides.decline(rideId, driver),
      ]);
      expect([accepted.status, declined.status].sort()).toEqual(['fulfilled', 'rejected']);
      const [offer] = await offersOf(rideId);
      expect({ offer: offer.status, ride: (await rideRow(rideId)).status }).toEqual(
        accepted.status === 'fulfilled'
          ? { offer: 'accepted', ride: 'ACCEPTED' }
          : { offer: 'declined', ride: 'REQUESTED' },
      );
      await t.sequelize.query(`UPDATE "DriverProfiles" SET "isOnline" = false`);
    }
  });

  it('refuses an accept from a driver the ride was not offered to', async () => {
    const [offered, nearest, third, fourth] = [
      await driverAt(north(CENTRE, 100)),
      await driverAt(north(CENTRE, 200)),
      await driverAt(north(CENTRE, 300)),
      await driverAt(north(CENTRE, 400)),
    ];
    const rideId = await rideAt(CENTRE);
    await dispatcher.run({ now: at(0) });
    expect(await live(rideId)).toEqual([offered, nearest, third]);
    await expect(rides.accept(rideId, driverCaller(fourth))).rejects.toThrow(
      `Ride ${rideId} was not offered to you`,
    );
    await expect(rides.accept(rideId, driverCaller(nearest))).resolves.toMatchObject({
      status: 'ACCEPTED',
      driverId: nearest,
    });
    expect(await offersOf(rideId)).toMatchObject([
      { driverId: offered, status: 'withdrawn' },
      { driverId: nearest, status: 'accepted' },
      { driverId: third, status: 'withdrawn' },
    ]);
  });

  it('sets a driver offline after 3 offers in a row expire, and counts it in their standing', async () => {
    const driver = await driverAt(north(CENTRE, 100));
    const rideIds = [await rideAt(CENTRE), await rideAt(CENTRE), await rideAt(CENTRE)];
    // One live offer per driver: each run expires one offer and makes the next.
    for (const [i] of rideIds.entries()) {
      await dispatcher.run({ now: at(16 * i) });
      expect(await live(rideIds[i])).toEqual([driver]);
    }
    const online = async () =>
      (
        await t.select<{ isOnline: boolean }>(
          `SELECT "isOnline" FROM "DriverProfiles" WHERE "userId" = :driver`,
          { driver },
        )
      )[0].isOnline;
    expect(await online()).toBe(true);
    await dispatcher.run({ now: at(48) });
    expect(await online()).toBe(false);

    expect(await t.get(DriverStandingService).of(driver)).toEqual({
      windowDays: 30,
      offers: 3,
      accepted: 0,
      declined: 0,
      expired: 3,
      acceptanceRate: 0,
      releases: 0,
      releaseRate: null,
    });
  });

  it('counts accepted offers, declines and releases in a driver’s standing', async () => {
    const driver = await driverAt(north(CENTRE, 100));
    const declined = await rideAt(CENTRE);
    await dispatcher.run({ now: at(0) });
    await rides.decline(declined, driver);
    const released = await rideAt(CENTRE);
    await dispatcher.run({ now: at(1), rideIds: [released] });
    await rides.accept(released, driverCaller(driver));
    await rides.advance(released, 'release', driverCaller(driver));
    // Released by this driver: not offered to them again.
    expect(await live(released)).toEqual([]);
    const kept = await rideAt(CENTRE);
    await dispatcher.run({ now: at(2), rideIds: [kept] });
    await rides.accept(kept, driverCaller(driver));

    expect(await t.get(DriverStandingService).of(driver)).toEqual({
      windowDays: 30,
      offers: 3,
      accepted: 2,
      declined: 1,
      expired: 0,
      acceptanceRate: 0.667,
      releases: 1,
      releaseRate: 0.5,
    });
  });
});

/** Batches of one, so that each ride's offer shows whom the window gave it. */
describe('ranked dispatch of a window', () => {
  let t: ModuleTest;
  let dispatcher: Dispatcher;
  let t0: number;
  const at = (seconds: number) => new Date(t0 + seconds * 1000);

  beforeAll(async () => {
    t = await createModuleTest([AuthModule, RidesModule], { DISPATCH_BATCH_SIZE: '1' });
    dispatcher = t.get(Dispatcher);
    t0 = Date.now();
  });

  afterAll(() => t?.close());

  const driverAt = (at: Point) => insertDriver(t, { at });
  const rideAt = async (pickup: Point) =>
    insertRide(t, { riderId: await insertUser(t, RIDER_ROLE_ID), pickup });
  const live = async (rideId: number) =>
    (
      await t.select<{ driverId: number }>(
        `SELECT "driverId" FROM "RideOffers" WHERE "rideId" = :rideId AND status = 'live'`,
        { rideId },
      )
    ).map((offer) => offer.driverId);

  it('matches the requests of one window so that the sum of pickup distances is least', async () => {
    // Nearest-first, ride A would take X (0.6 km) and leave B with Y (2.5 km): 3.1 km in all.
    // Together: A gets Y (1.5 km) and B gets X (0.4 km), 1.9 km.
    const a = CENTRE;
    const b = east(CENTRE, 1_000);
    const x = await driverAt(east(CENTRE, 600));
    const y = await driverAt(east(CENTRE, -1_500));
    const rideA = await rideAt(a);
    const rideB = await rideAt(b);
    await dispatcher.run({ now: at(0) });
    expect({ a: await live(rideA), b: await live(rideB) }).toEqual({ a: [y], b: [x] });
  });
});

describe('the dispatch loop at shutdown', () => {
  it('lets a run under way finish on an open pool before the database closes, logging no error', async () => {
    // The whole app, so its modules shut down in the order they do in production.
    const api = await createTestApp({ DISPATCH_TICK_MS: '10' });
    const errors = jest.spyOn(Logger.prototype, 'error');
    const blocker = new Client({ connectionString: api.database.url });
    try {
      await blocker.connect();
      // Hold the offers table so the next run stops on its first statement, under way at close.
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE "RideOffers" IN ACCESS EXCLUSIVE MODE');
      await waitUntil(
        'a dispatch run waiting on the lock',
        async () => {
          // Not on the blocker: within its transaction, pg_stat_activity stays as first read.
          const [row] = await api.sequelize.query<{ waiting: number }>(
            `SELECT count(*)::int AS waiting FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            { type: QueryTypes.SELECT },
          );
          return row.waiting > 0;
        },
        10_000,
      );
      const closed = api.close();
      // Close is now waiting for that run; let it go on.
      await blocker.query('ROLLBACK');
      await blocker.end();
      await closed;
      expect(errors.mock.calls.map((call) => String(call[0]))).toEqual([]);
    } finally {
      errors.mockRestore();
      await blocker.end().catch(() => undefined);
    }
  });
});
