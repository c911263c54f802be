import { QueryTypes } from 'sequelize';
import { AuthModule } from '../../src/auth/auth.module';
import { RIDER_ROLE_ID } from '../../src/common/built-ins';
import { withinRadiusSql } from '../../src/common/geo/earth-sql';
import { toPositional } from '../../src/database/prepared-statements';
import { EARTH_RADIUS_METERS, type LatLng } from '../../src/common/geo/trip';
import {
  COUNT_FREE_DRIVERS_NEAR_SQL,
  DRIVER_POSITION,
  FREE_DRIVERS_NEAR_SQL,
  openRidesForDriverSql,
} from '../../src/rides/nearby-sql';
import { RideStore } from '../../src/rides/ride.store';
import { RidesModule } from '../../src/rides/rides.module';
import {
  createModuleTest,
  insertDriver,
  insertRide,
  insertUser,
  type ModuleTest,
  SF,
} from '../support/nest-db';

/** A point `metres` north of `origin` (one degree of latitude is about 111.2 km). */
const north = (origin: { latitude: number; longitude: number }, metres: number) => ({
  latitude: origin.latitude + metres / 111_195,
  longitude: origin.longitude,
});

const radians = (degrees: number) => (degrees * Math.PI) / 180;
const degrees = (radians: number) => (radians * 180) / Math.PI;

/**
 * On earthdistance's sphere, the point `metres` along the great circle leaving `from` at `bearing`
 * degrees east of north.
 */
function toward(from: LatLng, bearing: number, metres: number): LatLng {
  const [lat, lng, b] = [from.latitude, from.longitude, bearing].map(radians);
  const d = metres / EARTH_RADIUS_METERS;
  const lat2 = Math.asin(Math.sin(lat) * Math.cos(d) + Math.cos(lat) * Math.sin(d) * Math.cos(b));
  const lng2 =
    lng +
    Math.atan2(
      Math.sin(b) * Math.sin(d) * Math.cos(lat),
      Math.cos(d) - Math.sin(lat) * Math.sin(lat2),
    );
  return { latitude: degrees(lat2), longitude: ((degrees(lng2) + 540) % 360) - 180 };
}

/** The bearing, in degrees east of north, of the great circle from `from` to `to`. */
function bearingTo(from: LatLng, to: LatLng): number {
  const [lat1, lat2, dLng] = [from.latitude, to.latitude, to.longitude - from.longitude].map(
    radians,
  );
  const y = Math.sin(dLng) * Math.cos(lat2);
  const x = Math.cos(lat1) * Math.sin(lat2) - Math.sin(lat1) * Math.cos(lat2) * Math.cos(dLng);
  return degrees(Math.atan2(y, x));
}

describe('RideStore', () => {
  let t: ModuleTest;
  let rides: RideStore;

  /**
   * The plan of `sql` with these replacements. A table this small would be read whole; that is
   * forbidden, to see the plan a large one gets.
   */
  async function planOf(sql: string, replacements: Record<string, unknown>): Promise<string> {
    return t.sequelize.transaction(async (transaction) => {
      await t.sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
      const rows = await t.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, {
        transaction,
        type: QueryTypes.SELECT,
        replacements,
      });
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
  }

  /**
   * `sql` prepared as a named statement and run with each of `runs` (more than five: PostgreSQL
   * plans the first five runs for their values, then weighs one plan for all), as the API runs
   * it: each run's rows, how many runs had the one generic plan, and that plan for the last run.
   */
  async function runPrepared(
    sql: string,
    runs: Record<string, unknown>[],
  ): Promise<{ results: Record<string, unknown>[][]; genericPlans: number; plan: string }> {
    const { text, order } = toPositional(sql);
    return t.sequelize.transaction(async (transaction) => {
      const run = (statement: string) =>
        t.sequelize.query<Record<string, unknown>>(statement, {
          transaction,
          type: QueryTypes.SELECT,
        });
      const execute = (values: Record<string, unknown>) =>
        `EXECUTE prepared_once (${order.map((name) => String(values[name])).join(', ')})`;
      await run('SET LOCAL enable_seqscan = off');
      await run(`PREPARE prepared_once AS ${text}`);
      const results: Record<string, unknown>[][] = [];
      for (const values of runs) results.push(await run(execute(values)));
      const [{ generic_plans }] = await run(
        `SELECT generic_plans::int FROM pg_prepared_statements WHERE name = 'prepared_once'`,
      );
      const plan = await run(`EXPLAIN ${execute(runs[runs.length - 1])}`);
      await run('DEALLOCATE prepared_once');
      return {
        results,
        genericPlans: generic_plans as number,
        plan: plan.map((row) => row['QUERY PLAN']).join('\n'),
      };
    });
  }

  beforeAll(async () => {
    t = await createModuleTest([AuthModule, RidesModule]);
    rides = t.get(RideStore);
  });

  afterAll(() => t?.close());

  const rider = () => insertUser(t, RIDER_ROLE_ID);
  const newRide = (riderId: number) => ({
    riderId,
    serviceTypeId: 1,
    pickupLatitude: SF.latitude,
    pickupLongitude: SF.longitude,
    pickupAddress: 'pickup',
    destinationLatitude: 37.8044,
    destinationLongitude: -122.2712,
    destinationAddress: 'destination',
    estimatedDistanceMiles: 10,
    estimatedDurationMinutes: 20,
    estimatedFare: 17.5,
  });
  const stored = async (rideId: number) => {
    const [row] = await t.select<{
      status: string;
      driverId: number | null;
      cancelledBy: string | null;
      finalFare: string | null;
    }>(
      `SELECT status, "driverId", "cancelledBy", "finalFare" FROM "RideRequests" WHERE id = :rideId`,
      {
        rideId,
      },
    );
    return row;
  };
  const driverAs = (userId: number) => ({ as: 'driver' as const, userId });

  describe('insertRequested', () => {
    it('gives a rider one active ride at a time', async () => {
      const riderId = await rider();
      const first = await rides.insertRequested(newRide(riderId));
      expect(first).toMatchObject({ id: expect.any(Number), status: 'REQUESTED', riderId });
      expect(await rides.insertRequested(newRide(riderId))).toBeUndefined();
      expect(
        await t.select(`SELECT id FROM "RideRequests" WHERE "riderId" = :riderId`, { riderId }),
      ).toEqual([{ id: first!.id }]);
      await rides.transitionIfAllowed(first!.id, 'cancel', { as: 'rider', userId: riderId });
      expect(await rides.insertRequested(newRide(riderId))).toMatchObject({ status: 'REQUESTED' });
    });

    it('lets exactly one of simultaneous requests by one rider in', async () => {
      const riderId = await rider();
      const created = await Promise.all(
        Array.from({ length: 5 }, () => rides.insertRequested(newRide(riderId))),
      );
      expect(created.filter((ride) => ride !== undefined)).toHaveLength(1);
      expect(
        await t.select(`SELECT id FROM "RideRequests" WHERE "riderId" = :riderId`, { riderId }),
      ).toHaveLength(1);
    });
  });

  describe('transitionIfAllowed', () => {
    it('lets an online driver of the ride type accept a REQUESTED ride', async () => {
      const riderId = await rider();
      const driverId = await insertDriver(t, { online: true });
      const rideId = await insertRide(t, { riderId });
      const view = await rides.transitionIfAllowed(rideId, 'accept', driverAs(driverId));
      expect(view).toMatchObject({ id: rideId, status: 'ACCEPTED', driverId });
      expect(view?.acceptedAt).toBeInstanceOf(Date);
      expect(await stored(rideId)).toMatchObject({ status: 'ACCEPTED', driverId });
    });

    it('refuses an offline driver, a driver of another type and a taken ride', async () => {
      const riderId = await rider();
      const rideId = await insertRide(t, { riderId });
      const offline = await insertDriver(t, { online: false });
      const suv = await insertDriver(t, { online: true, serviceTypeId: 2 });
      expect(await rides.transitionIfAllowed(rideId, 'accept', driverAs(offline))).toBeUndefined();
      expect(await rides.transitionIfAllowed(rideId, 'accept', driverAs(suv))).toBeUndefined();
      expect(await stored(rideId)).toMatchObject({ status: 'REQUESTED', driverId: null });
      const first = await insertDriver(t, { online: true });
      const second = await insertDriver(t, { online: true });
      expect(await rides.transitionIfAllowed(rideId, 'accept', driverAs(first))).toBeDefined();
      expect(await rides.transitionIfAllowed(rideId, 'accept', driverAs(second))).toBeUndefined();
      expect(await stored(rideId)).toMatchObject({ status: 'ACCEPTED', driverId: first });
    });

    it('refuses a driver a second ride while one is under way', async () => {
      const driverId = await insertDriver(t, { online: true });
      const onRide = await insertRide(t, {
        riderId: await rider(),
        driverId,
        status: 'IN_PROGRESS',
      });
      const rideId = await insertRide(t, { riderId: await rider() });
      expect(await rides.transitionIfAllowed(rideId, 'accept', driverAs(driverId))).toBeUndefined();
      expect(await stored(rideId)).toMatchObject({ status: 'REQUESTED', driverId: null });
      expect(await rides.findUnderWayFor(driverId)).toMatchObject({ id: onRide });
    });

    it('gives a ride to exactly one of many drivers accepting at once', async () => {
      const rideId = await insertRide(t, { riderId: await rider() });
      const drivers = await Promise.all(
        Array.from({ length: 6 }, () => insertDriver(t, { online: true })),
      );
      const views = await Promise.all(
        drivers.map((driverId) => rides.transitionIfAllowed(rideId, 'accept', driverAs(driverId))),
      );
      const winners = views.filter((view) => view !== undefined);
      expect(winners).toHaveLength(1);
      expect(await stored(rideId)).toMatchObject({
        status: 'ACCEPTED',
        driverId: winners[0].driverId,
      });
      expect(drivers).toContain(winners[0].driverId);
    });

    it('runs a ride to completion at the quoted fare, each step only by its driver', async () => {
      const riderId = await rider();
      const driverId = await insertDriver(t, { online: true });
      const stranger = await insertDriver(t, { online: true });
      const rideId = await insertRide(t, { riderId });
      await rides.transitionIfAllowed(rideId, 'accept', driverAs(driverId));
      expect(
        await rides.transitionIfAllowed(rideId, 'arriving', driverAs(stranger)),
      ).toBeUndefined();
      expect(await rides.transitionIfAllowed(rideId, 'start', driverAs(driverId))).toBeUndefined();
      for (const step of ['arriving', 'start', 'complete'] as const) {
        expect(await rides.transitionIfAllowed(rideId, step, driverAs(driverId))).toBeDefined();
      }
      expect(await stored(rideId)).toMatchObject({ status: 'COMPLETED', finalFare: '20.00' });
      expect(await rides.findUnderWayFor(driverId)).toBeUndefined();
      expect(
        await rides.transitionIfAllowed(rideId, 'cancel', { as: 'rider', userId: riderId }),
      ).toBeUndefined();
    });

    it('lets only the ride’s own rider cancel, recording who did', async () => {
      const riderId = await rider();
      const rideId = await insertRide(t, { riderId });
      const other = await rider();
      expect(
        await rides.transitionIfAllowed(rideId, 'cancel', { as: 'rider', userId: other }),
      ).toBeUndefined();
      const view = await rides.transitionIfAllowed(
        rideId,
        'cancel',
        { as: 'rider', userId: riderId },
        { reason: 'changed my mind' },
      );
      expect(view).toMatchObject({
        status: 'CANCELLED',
        cancelledBy: 'rider',
        cancelReason: 'changed my mind',
      });
      expect(await stored(rideId)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'rider' });
    });

    it('releases an accepted ride back to REQUESTED without a driver', async () => {
      const driverId = await insertDriver(t, { online: true });
      const rideId = await insertRide(t, { riderId: await rider() });
      await rides.transitionIfAllowed(rideId, 'accept', driverAs(driverId));
      const view = await rides.transitionIfAllowed(rideId, 'release', driverAs(driverId), {
        reason: 'flat tyre',
      });
      expect(view).toMatchObject({
        status: 'REQUESTED',
        driverId: null,
        releaseReason: 'flat tyre',
      });
      expect(await rides.findUnderWayFor(driverId)).toBeUndefined();
    });
  });

  describe('expireUnanswered', () => {
    it('cancels only REQUESTED rides older than the timeout, each reported once', async () => {
      const old = await insertRide(t, { riderId: await rider(), requestedSecondsAgo: 600 });
      const recent = await insertRide(t, { riderId: await rider(), requestedSecondsAgo: 10 });
      const driverId = await insertDriver(t, { online: true });
      const taken = await insertRide(t, {
        riderId: await rider(),
        driverId,
        status: 'ACCEPTED',
        requestedSecondsAgo: 600,
      });
      // Two instances sweeping at once.
      const [a, b] = await Promise.all([rides.expireUnanswered(300), rides.expireUnanswered(300)]);
      const reported = [...a, ...b].map((row) => row.id);
      expect(reported.filter((id) => id === old)).toHaveLength(1);
      expect(reported).not.toContain(recent);
      expect(reported).not.toContain(taken);
      expect(await stored(old)).toMatchObject({ status: 'CANCELLED', cancelledBy: 'system' });
      expect(await stored(recent)).toMatchObject({ status: 'REQUESTED' });
      expect(await stored(taken)).toMatchObject({ status: 'ACCEPTED' });
      expect(await rides.expireUnanswered(300)).toEqual([]);
    });
  });

  describe('findOpenRidesFor', () => {
    // Far from every other test's rides (which stand at SF).
    const CENTRE = { latitude: -33.92, longitude: 18.42 };
    const at = (metres: number) => ({ pickup: north(CENTRE, metres) });
    const open = (metres: number, serviceTypeId = 1) =>
      rider().then((riderId) => insertRide(t, { riderId, serviceTypeId, ...at(metres) }));
    const ids = (rows: { id: number }[]) => rows.map((row) => row.id);
    const ride: Record<string, number> = {};
    const tied: number[] = [];
    const driver: Record<string, number> = {};
    const find = (driverId: number, radiusKm: number, limit = 50) =>
      rides.findOpenRidesFor(driverId, { radiusKm, limit, staleSeconds: 60 });

    beforeAll(async () => {
      ride.nearest = await open(100);
      // Five at one spot: the order among them, and who makes a short page, is by id.
      for (let i = 0; i < 5; i += 1) tied.push(await open(800));
      ride.far = await open(1500);
      ride.outside = await open(2600);
      ride.otherType = await open(50, 2);
      ride.taken = await insertRide(t, {
        riderId: await rider(),
        driverId: await insertDriver(t),
        status: 'ACCEPTED',
        ...at(60),
      });
      driver.here = await insertDriver(t, { at: CENTRE });
      driver.suv = await insertDriver(t, { at: CENTRE, serviceTypeId: 2 });
      driver.van = await insertDriver(t, { at: CENTRE, serviceTypeId: 3 });
      driver.elsewhere = await insertDriver(t, { at: { latitude: 60, longitude: 18 } });
      driver.offline = await insertDriver(t, { at: CENTRE, online: false });
      driver.stale = await insertDriver(t, { at: CENTRE, reportedSecondsAgo: 61 });
      driver.unlocated = await insertDriver(t, { online: true });
    });

    it('lists REQUESTED rides of the driver’s type within the radius of where they are, nearest first, ties by id', async () => {
      const rows = await find(driver.here, 2.5);
      expect(ids(rows)).toEqual([ride.nearest, ...tied, ride.far]);
      expect(rows[0].distanceMeters).toBeCloseTo(100, -1);
      expect(rows[6].distanceMeters).toBeCloseTo(1500, -1);
      expect(ids(await find(driver.here, 3))).toContain(ride.outside);
    });

    it('cuts a page inside a tie by id, and pages of every length agree', async () => {
      const all = ids(await find(driver.here, 2.5));
      for (let limit = 1; limit <= all.length; limit += 1) {
        expect(ids(await find(driver.here, 2.5, limit))).toEqual(all.slice(0, limit));
      }
    });

    it('lists only the driver’s type, and nothing where there is nothing', async () => {
      expect(ids(await find(driver.suv, 2.5))).toEqual([ride.otherType]);
      expect(await find(driver.van, 2.5)).toEqual([]);
      expect(await find(driver.here, 0.05)).toEqual([]);
      expect(await find(driver.elsewhere, 5)).toEqual([]);
    });

    it('lists nothing for a driver offline, with a stale position or none, or for a rider', async () => {
      for (const who of [driver.offline, driver.stale, driver.unlocated, await rider()]) {
        expect(await find(who, 5)).toEqual([]);
      }
      // The same driver, once fresh, sees the rides around them.
      await t.sequelize.query(
        `UPDATE "DriverProfiles" SET "locationUpdatedAt" = now() WHERE "userId" = :userId`,
        { replacements: { userId: driver.stale } },
      );
      expect(ids(await find(driver.stale, 2.5))).toEqual([ride.nearest, ...tied, ride.far]);
    });

    it('walks the (type, pickup) index nearest first rather than sorting the circle', async () => {
      const plan = await planOf(openRidesForDriverSql(20), {
        driverId: driver.here,
        staleSeconds: 60,
        radiusMeters: 5000,
      });
      expect(plan).toMatch(/Index Scan using "RideRequests_requested_type_pickup_gist"/);
      expect(plan).toMatch(/Order By: \(\(ll_to_earth/);
    });

    it('is planned once as a named statement, and that one plan still walks the index', async () => {
      const runs: Record<string, unknown>[] = [];
      for (let i = 0; i < 8; i += 1) {
        const driverId = await insertDriver(t, { at: north(CENTRE, i * 10) });
        runs.push({ driverId, radiusMeters: 2500, staleSeconds: 60 });
      }
      const prepared = await runPrepared(openRidesForDriverSql(20), runs);
      expect(prepared.genericPlans).toBe(3);
      expect(prepared.plan).toMatch(/Index Scan using "RideRequests_requested_type_pickup_gist"/);
      expect(prepared.plan).toMatch(/Order By: \(\(ll_to_earth.*<-> \$\d+\)/);
      expect(ids(prepared.results[7] as { id: number }[])).toEqual([
        ride.nearest,
        ...tied,
        ride.far,
      ]);
    });
  });

  describe('findFreeDriversNear', () => {
    // Far from every other test's drivers (which stand at SF or nowhere).
    const CENTRE = { latitude: 40, longitude: -100 };
    const search = { point: CENTRE, radiusKm: 5, staleSeconds: 60 };
    const found: Record<string, number> = {};

    beforeAll(async () => {
      found.near = await insertDriver(t, { at: north(CENTRE, 2000) });
      found.nearest = await insertDriver(t, { at: north(CENTRE, 300) });
      found.suv = await insertDriver(t, { at: north(CENTRE, 1000), serviceTypeId: 2 });
      found.busy = await insertDriver(t, { at: north(CENTRE, 100) });
      await insertRide(t, { riderId: await rider(), driverId: found.busy, status: 'ARRIVING' });
      found.stale = await insertDriver(t, { at: north(CENTRE, 200), reportedSecondsAgo: 120 });
      found.offline = await insertDriver(t, { at: north(CENTRE, 250), online: false });
      found.far = await insertDriver(t, { at: north(CENTRE, 6000) });
    });

    it('finds free drivers of the type nearest first, leaving out busy, stale, offline and far ones', async () => {
      const drivers = await rides.findFreeDriversNear({ ...search, serviceTypeId: 1 });
      expect(drivers.map((driver) => driver.userId)).toEqual([found.nearest, found.near]);
      expect(drivers[0].distanceMeters).toBeCloseTo(300, -1);
      expect(drivers[1].distanceMeters).toBeCloseTo(2000, -1);
    });

    it('finds every type when none is given, and counts them', async () => {
      const drivers = await rides.findFreeDriversNear(search);
      expect(drivers.map((driver) => driver.userId)).toEqual([
        found.nearest,
        found.suv,
        found.near,
      ]);
      const count = await rides.countFreeDriversNear(search);
      expect(count.count).toBe(3);
      expect(count.nearestMeters).toBeCloseTo(300, -1);
    });

    it('widens with the radius and the staleness window', async () => {
      const drivers = await rides.findFreeDriversNear({
        ...search,
        serviceTypeId: 1,
        radiusKm: 7,
        staleSeconds: 300,
      });
      expect(drivers.map((driver) => driver.userId)).toEqual([
        found.stale,
        found.nearest,
        found.near,
        found.far,
      ]);
    });

    it.each([
      ['counts', COUNT_FREE_DRIVERS_NEAR_SQL],
      ['lists', FREE_DRIVERS_NEAR_SQL],
    ])('%s them through the GiST index on online drivers’ stored positions', async (_, sql) => {
      const plan = await planOf(sql, {
        ...CENTRE,
        radiusMeters: 5000,
        serviceTypeId: null,
        staleSeconds: 60,
      });
      expect(plan).toMatch(/Index Scan (?:on|using) "DriverProfiles_online_earth_position_gist"/);
      expect(plan).toMatch(/"earthPosition" <@/);
    });

    /**
     * `sql` as a named statement at eight points 50 m apart heading south (the last 350 m south
     * of the centre: the nearest driver 650 m away, the SUV 1,350 m, the near one 2,350 m).
     */
    async function preparedHeadingSouth(sql: string) {
      const runs = Array.from({ length: 8 }, (_, i) => ({
        ...north(CENTRE, -50 * i),
        radiusMeters: 5000,
        serviceTypeId: null,
        staleSeconds: 60,
      }));
      const prepared = await runPrepared(sql, runs);
      expect(prepared.genericPlans).toBe(3);
      expect(prepared.plan).toMatch(
        /Index Scan (?:on|using) "DriverProfiles_online_earth_position_gist"/,
      );
      expect(prepared.plan).toMatch(/"earthPosition" <@ \$\d+/);
      return prepared.results[7];
    }

    it('counts them with one plan for every point, through the same index', async () => {
      expect(await preparedHeadingSouth(COUNT_FREE_DRIVERS_NEAR_SQL)).toEqual([
        { count: 3, nearestMeters: expect.closeTo(650, -1) as number },
      ]);
    });

    it('lists them with one plan for every point, through the same index', async () => {
      const rows = await preparedHeadingSouth(FREE_DRIVERS_NEAR_SQL);
      expect(rows.map((row) => row.userId)).toEqual([found.nearest, found.suv, found.near]);
    });

    it('finds exactly the drivers within the radius, in every direction and at any latitude', async () => {
      // Where the circle reaches furthest along each axis, so where the box is tight: toward the
      // axes' ends, where the sphere meets them.
      const axisEnds = [
        { latitude: 0, longitude: 0 },
        { latitude: 0, longitude: 180 },
        { latitude: 0, longitude: 90 },
        { latitude: 0, longitude: -90 },
        { latitude: 90, longitude: 0 },
        { latitude: -90, longitude: 0 },
      ];
      // The equator, both poles, the antimeridian and places between; every 15° and each axis's
      // end, half a metre inside and (between them) outside the circle; the centre itself, and the
      // pole where the circle holds it.
      const centres = [
        { latitude: 0.2, longitude: 20 },
        { latitude: -33.9, longitude: 151.2 },
        { latitude: 64.1, longitude: -21.9 },
        { latitude: 89.995, longitude: 60 },
        { latitude: -89.99, longitude: -120 },
        { latitude: 10, longitude: 179.999 },
      ];
      const radiusKm = 20;
      const columns = { latitude: 'p.latitude', longitude: 'p.longitude' };
      for (const point of centres) {
        const inside: number[] = [await insertDriver(t, { at: point })];
        for (let bearing = 0; bearing < 360; bearing += 15) {
          inside.push(await insertDriver(t, { at: toward(point, bearing, radiusKm * 1000 - 0.5) }));
          await insertDriver(t, { at: toward(point, bearing + 7.5, radiusKm * 1000 + 0.5) });
        }
        for (const end of axisEnds) {
          const bearing = bearingTo(point, end);
          inside.push(await insertDriver(t, { at: toward(point, bearing, radiusKm * 1000 - 0.5) }));
        }
        const pole = { latitude: Math.sign(point.latitude) * 90, longitude: 0 };
        if (Math.abs(point.latitude) > 89.9) inside.push(await insertDriver(t, { at: pole }));
        const drivers = await rides.findFreeDriversNear({ ...search, point, radiusKm });
        expect(drivers.map((driver) => driver.userId).sort((a, b) => a - b)).toEqual(inside);
        expect((await rides.countFreeDriversNear({ ...search, point, radiusKm })).count).toBe(
          inside.length,
        );
        // The same with the point as columns, as dispatch writes it for each ride's pickup.
        const rows = await t.select<{ userId: number }>(
          `SELECT d."userId" FROM "DriverProfiles" d,
             (SELECT CAST(:latitude AS float8) AS latitude, CAST(:longitude AS float8) AS longitude) p
           WHERE d."isOnline" AND ${withinRadiusSql(DRIVER_POSITION, columns, ':radiusMeters')}
           ORDER BY d."userId"`,
          { ...point, radiusMeters: radiusKm * 1000 },
        );
        expect(rows.map((row) => row.userId)).toEqual(inside);
      }
    });

    it('finds nobody where nobody is', async () => {
      expect(
        await rides.findFreeDriversNear({ ...search, point: { latitude: -40, longitude: 100 } }),
      ).toEqual([]);
      expect(
        await rides.countFreeDriversNear({ ...search, point: { latitude: -40, longitude: 100 } }),
      ).toEqual({ count: 0, nearestMeters: null });
    });
  });
});
