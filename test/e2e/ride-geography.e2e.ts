import { QueryTypes } from 'sequelize';
import type { Account } from '../support/accounts';
import { bearer } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { createRide, insertDriver, insertRider, putLocation } from '../support/rides';
import { seededRandom as random } from '../support/random';

/**
 * Geography of matching, checked against the test's own haversine on the sphere PostgreSQL's
 * earthdistance uses: open rides near a driver (GET /api/rides/open), free drivers near a point
 * (GET /api/drivers/nearby), coordinate validation, location staleness, the antimeridian and poles.
 * Thousands of rows are written straight to the database; every scenario lives in a region of its
 * own, so the scenarios never see each other's rows.
 */

const EARTH_RADIUS_METERS = 6_378_168;
const METERS_PER_MILE = 1609.344;
const ROAD_FACTOR = 1.3;
const AVERAGE_SPEED_MPH = 20;
const STALE_SECONDS = 120;
/** Points this close (relative) to a radius are left out of exact comparisons: float jitter. */
const BOUNDARY_EPSILON = 1e-6;
/** Distances closer than this are one place seen through float noise. */
const TIE_METERS = 1e-6;

interface Point {
  latitude: number;
  longitude: number;
}

const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

function haversineMeters(a: Point, b: Point): number {
  const dLat = toRadians(b.latitude - a.latitude);
  const dLng = toRadians(b.longitude - a.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(a.latitude)) * Math.cos(toRadians(b.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

const round2 = (value: number) => Math.round(value * 100) / 100;

/** Whole minutes for a driver this many metres away: road miles at the average speed, ≥ 1. */
function expectedPickupMinutes(meters: number): number {
  const miles = round2((meters / METERS_PER_MILE) * ROAD_FACTOR);
  return Math.max(1, Math.ceil(round2((miles / AVERAGE_SPEED_MPH) * 60)));
}

const rand = random(20261125);
const between = (low: number, high: number) => low + rand() * (high - low);
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const jitter = (centre: Point, degrees: number): Point => ({
  latitude: centre.latitude + between(-degrees, degrees),
  longitude: centre.longitude + between(-degrees, degrees),
});

/** Longitude folded back into [-180, 180]. */
function wrap(longitude: number): number {
  if (longitude > 180) return longitude - 360;
  if (longitude < -180) return longitude + 360;
  return longitude;
}

let t: TestApp;
let batch = 0;

beforeAll(async () => {
  // GET /api/rides/open as an area search is broadcast dispatch's (ranked: the driver's offers).
  t = await createTestApp({
    DISPATCH_MODE: 'broadcast',
    DRIVER_LOCATION_STALE_SECONDS: String(STALE_SECONDS),
    RIDE_REQUEST_TIMEOUT_SECONDS: '3600',
  });
});
afterAll(() => t.close());

// ---------------------------------------------------------------------------------------------
// Bulk writers
// ---------------------------------------------------------------------------------------------

/** `n` users of a role in one statement; ids in creation order. */
async function bulkUsers(roleId: number, n: number): Promise<number[]> {
  batch += 1;
  const prefix = `geo-${roleId}-${process.pid}-${batch}-`;
  const rows = await t.sequelize.query<{ id: number; username: string }>(
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
     SELECT :prefix || g, '!', :roleId, now(), now() FROM generate_series(1, :n) g
     RETURNING id, username`,
    { replacements: { prefix, roleId, n }, type: QueryTypes.SELECT },
  );
  const ids = new Array<number>(n);
  for (const row of rows) ids[Number(row.username.slice(prefix.length)) - 1] = row.id;
  return ids;
}

type RideStatus = 'REQUESTED' | 'ACCEPTED' | 'ARRIVING' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED';

interface RideSeed {
  riderId: number;
  driverId: number | null;
  serviceTypeId: number;
  status: RideStatus;
  pickup: Point;
}

interface SeededRide extends RideSeed {
  id: number;
}

/** Rides in one INSERT, each for a rider of its own (the seeds' riderId must be distinct). */
async function bulkRides(seeds: RideSeed[]): Promise<SeededRide[]> {
  const rows = JSON.stringify(
    seeds.map((seed) => ({
      riderId: seed.riderId,
      driverId: seed.driverId,
      serviceTypeId: seed.serviceTypeId,
      status: seed.status,
      lat: seed.pickup.latitude,
      lng: seed.pickup.longitude,
    })),
  );
  const inserted = await t.sequelize.query<{ id: number; riderId: number }>(
    `INSERT INTO "RideRequests" ("riderId", "driverId", "serviceTypeId", status,
       "pickupLatitude", "pickupLongitude", "pickupAddress",
       "destinationLatitude", "destinationLongitude", "destinationAddress",
       "estimatedDistanceMiles", "estimatedDurationMinutes", "estimatedFare",
       "requestedAt", "acceptedAt", "startedAt", "completedAt", "finalFare",
       "cancelledAt", "cancelledBy", "cancelReason", "createdAt", "updatedAt")
     SELECT x."riderId", x."driverId", x."serviceTypeId", CAST(x.status AS "enum_RideRequests_status"),
       x.lat, x.lng, 'Pickup of rider ' || x."riderId",
       CASE WHEN x.lat > 0 THEN x.lat - 0.05 ELSE x.lat + 0.05 END, x.lng, 'Somewhere else',
       4.5, 13.5, 12.34,
       now(),
       CASE WHEN x.status IN ('ACCEPTED', 'ARRIVING', 'IN_PROGRESS', 'COMPLETED') THEN now() END,
       CASE WHEN x.status IN ('IN_PROGRESS', 'COMPLETED') THEN now() END,
       CASE WHEN x.status = 'COMPLETED' THEN now() END,
       CASE WHEN x.status = 'COMPLETED' THEN 12.34 END,
       CASE WHEN x.status = 'CANCELLED' THEN now() END,
       CASE WHEN x.status = 'CANCELLED' THEN 'rider' END,
       CASE WHEN x.status = 'CANCELLED' THEN 'changed plans' END,
       now(), now()
     FROM json_to_recordset(CAST(:rows AS json)) AS x("riderId" int, "driverId" int,
       "serviceTypeId" int, status text, lat double precision, lng double precision)
     RETURNING id, "riderId"`,
    { replacements: { rows }, type: QueryTypes.SELECT },
  );
  const idOfRider = new Map(inserted.map((row) => [row.riderId, row.id]));
  return seeds.map((seed) => ({ ...seed, id: idOfRider.get(seed.riderId)! }));
}

interface DriverSeed {
  online: boolean;
  serviceTypeId: number;
  /** Null: never reported a position. */
  position: Point | null;
  reportedSecondsAgo: number;
  /** The driver has a ride in this status. */
  ride?: RideStatus;
}

interface SeededDriver extends DriverSeed {
  id: number;
}

/** Drivers (users, profiles, and the rides some of them are on) in a handful of statements. */
async function bulkDrivers(seeds: DriverSeed[]): Promise<SeededDriver[]> {
  const ids = await bulkUsers(2, seeds.length);
  const drivers = seeds.map((seed, index) => ({ ...seed, id: ids[index] }));
  const rows = JSON.stringify(
    drivers.map((driver) => ({
      userId: driver.id,
      online: driver.online,
      serviceTypeId: driver.serviceTypeId,
      lat: driver.position?.latitude ?? null,
      lng: driver.position?.longitude ?? null,
      ago: driver.reportedSecondsAgo,
    })),
  );
  await t.sequelize.query(
    `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline", "serviceTypeId",
       latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
     SELECT x."userId", 'Toyota', 'Prius', :platePrefix || x."userId", x.online, x."serviceTypeId",
       x.lat, x.lng, CASE WHEN x.lat IS NULL THEN NULL ELSE now() - make_interval(secs => x.ago) END,
       now(), now()
     FROM json_to_recordset(CAST(:rows AS json)) AS x("userId" int, online boolean,
       "serviceTypeId" int, lat double precision, lng double precision, ago double precision)`,
    { replacements: { rows, platePrefix: `GEO${process.pid}-` } },
  );
  const withRides = drivers.filter((driver) => driver.ride !== undefined);
  if (withRides.length > 0) {
    const riders = await bulkUsers(1, withRides.length);
    await bulkRides(
      withRides.map((driver, index) => ({
        riderId: riders[index],
        driverId: driver.id,
        serviceTypeId: driver.serviceTypeId,
        status: driver.ride!,
        pickup: driver.position ?? { latitude: 0, longitude: 0 },
      })),
    );
  }
  return drivers;
}

// ---------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------

interface OpenRideBody {
  id: number;
  serviceTypeId: number;
  pickupLatitude: number;
  pickupLongitude: number;
  distanceKm: number;
}

/**
 * The open rides a driver at `at` must see: REQUESTED rides of the type within the radius, nearest
 * first, ties by id, at most `limit`. Rides within float jitter of the radius may or may not be
 * listed; they would come last.
 */
function checkOpenRides(
  label: string,
  body: OpenRideBody[],
  rides: SeededRide[],
  at: Point,
  serviceTypeId: number,
  radiusKm: number,
  limit: number,
): void {
  const radius = radiusKm * 1000;
  const candidates = rides
    .filter((ride) => ride.status === 'REQUESTED' && ride.serviceTypeId === serviceTypeId)
    .map((ride) => ({ ride, meters: haversineMeters(at, ride.pickup) }));
  const sure = candidates
    .filter((c) => c.meters <= radius * (1 - BOUNDARY_EPSILON))
    .sort((a, b) => a.meters - b.meters || a.ride.id - b.ride.id);
  const borderline = new Set(
    candidates
      .filter((c) => Math.abs(c.meters - radius) <= radius * BOUNDARY_EPSILON)
      .map((c) => c.ride.id),
  );

  // Different coordinates for one place (longitude 180 and -180, any longitude at a pole) give
  // distances equal up to float noise: such rides may come in either order. Rides at identical
  // coordinates have identical distances and must come by id.
  const fuzzyTies: Array<[number, number]> = [];
  for (let start = 0; start < sure.length;) {
    let end = start + 1;
    while (end < sure.length && sure[end].meters - sure[end - 1].meters <= TIE_METERS) end += 1;
    const first = sure[start].ride.pickup;
    const identical = sure
      .slice(start, end)
      .every(
        (c) =>
          c.ride.pickup.latitude === first.latitude && c.ride.pickup.longitude === first.longitude,
      );
    if (!identical) fuzzyTies.push([start, end]);
    start = end;
  }
  const canonical = (ids: number[]) => {
    const copy = [...ids];
    for (const [start, end] of fuzzyTies) {
      copy.splice(start, end - start, ...copy.slice(start, end).sort((a, b) => a - b));
    }
    return copy;
  };

  const returned = body.map((row) => row.id);
  const expected = sure.slice(0, limit).map((c) => c.ride.id);
  expect({ label, ids: canonical(returned.filter((id) => !borderline.has(id))) }).toEqual({
    label,
    ids: canonical(expected),
  });
  expect(returned.length).toBeLessThanOrEqual(Math.min(limit, sure.length + borderline.size));

  const byId = new Map(rides.map((ride) => [ride.id, ride]));
  for (const row of body) {
    const ride = byId.get(row.id)!;
    const meters = haversineMeters(at, ride.pickup);
    expect({ label, id: row.id, serviceTypeId: row.serviceTypeId }).toEqual({
      label,
      id: ride.id,
      serviceTypeId,
    });
    expect({ label, id: row.id, pickup: [row.pickupLatitude, row.pickupLongitude] }).toEqual({
      label,
      id: row.id,
      pickup: [ride.pickup.latitude, ride.pickup.longitude],
    });
    // distanceKm: kilometres to the metre.
    const error = Math.abs(row.distanceKm * 1000 - meters);
    if (error > 0.501) {
      throw new Error(
        `${label}: ride ${row.id} distanceKm ${row.distanceKm}, haversine ${meters} m`,
      );
    }
  }
}

interface NearbyBody {
  count: number;
  nearestPickupMinutes: number | null;
  radiusKm: number;
}

function isFree(driver: SeededDriver): boolean {
  return (
    driver.online &&
    driver.position !== null &&
    driver.reportedSecondsAgo < STALE_SECONDS &&
    !['ACCEPTED', 'ARRIVING', 'IN_PROGRESS'].includes(driver.ride ?? '')
  );
}

/** count and nearestPickupMinutes from the test's own list of drivers. */
function checkNearby(
  label: string,
  body: NearbyBody,
  drivers: SeededDriver[],
  at: Point,
  radiusKm: number,
  serviceTypeId?: number,
): void {
  const radius = radiusKm * 1000;
  const distances = drivers
    .filter((d) => isFree(d) && (serviceTypeId === undefined || d.serviceTypeId === serviceTypeId))
    .map((d) => haversineMeters(at, d.position!));
  const sure = distances.filter((m) => m <= radius * (1 - BOUNDARY_EPSILON));
  const borderline = distances.filter((m) => Math.abs(m - radius) <= radius * BOUNDARY_EPSILON);
  const context = { label, body };
  expect({ ...context, radiusKm: body.radiusKm }).toEqual({ ...context, radiusKm });
  if (borderline.length === 0) {
    expect({ ...context, count: body.count }).toEqual({ ...context, count: sure.length });
  } else {
    expect(body.count).toBeGreaterThanOrEqual(sure.length);
    expect(body.count).toBeLessThanOrEqual(sure.length + borderline.length);
  }
  const nearest =
    sure.length > 0 ? Math.min(...sure) : body.count > 0 ? Math.min(...borderline) : null;
  expect({ ...context, nearestPickupMinutes: body.nearestPickupMinutes }).toEqual({
    ...context,
    nearestPickupMinutes: nearest === null ? null : expectedPickupMinutes(nearest),
  });
}

function openRides(driver: Account, query: string) {
  return t.http.get(`/api/rides/open${query}`).set('Authorization', bearer(driver));
}

function nearby(account: Account, query: string) {
  return t.http.get(`/api/drivers/nearby${query}`).set('Authorization', bearer(account));
}

/** Runs `work` over `items`, `width` at a time. */
async function inBatches<T>(items: T[], width: number, work: (item: T) => Promise<void>) {
  for (let start = 0; start < items.length; start += width) {
    await Promise.all(items.slice(start, start + width).map(work));
  }
}

async function storedLocation(userId: number) {
  const [row] = await t.sequelize.query<{
    latitude: number | null;
    longitude: number | null;
    locationUpdatedAt: Date | null;
  }>(
    `SELECT latitude, longitude, "locationUpdatedAt" FROM "DriverProfiles" WHERE "userId" = :userId`,
    { replacements: { userId }, type: QueryTypes.SELECT },
  );
  return row;
}

// ---------------------------------------------------------------------------------------------
// 1. Open rides near a driver
// ---------------------------------------------------------------------------------------------

describe('GET /api/rides/open among thousands of rides', () => {
  /** Manhattan. */
  const CENTRE: Point = { latitude: 40.7128, longitude: -74.006 };
  const RADII = [1, 3, 5, 10];
  let rides: SeededRide[];

  beforeAll(async () => {
    const seeds: Omit<RideSeed, 'riderId'>[] = [];
    const add = (count: number, make: () => Omit<RideSeed, 'riderId'>) => {
      for (let i = 0; i < count; i += 1) seeds.push(make());
    };
    // Exactly at the centre: distance 0.
    add(3, () => ({ driverId: null, serviceTypeId: 1, status: 'REQUESTED', pickup: CENTRE }));
    // Pickups shared by two or three rides: equal distances, ordered by id.
    for (let group = 0; group < 30; group += 1) {
      const shared = jitter(CENTRE, 0.05);
      add(2 + (group % 2), () => ({
        driverId: null,
        serviceTypeId: 1,
        status: 'REQUESTED',
        pickup: shared,
      }));
    }
    add(2300 - seeds.length, () => ({
      driverId: null,
      serviceTypeId: 1,
      status: 'REQUESTED',
      pickup: jitter(CENTRE, 0.2),
    }));
    add(250, () => ({
      driverId: null,
      serviceTypeId: 2,
      status: 'REQUESTED',
      pickup: jitter(CENTRE, 0.2),
    }));
    add(100, () => ({
      driverId: null,
      serviceTypeId: 3,
      status: 'REQUESTED',
      pickup: jitter(CENTRE, 0.2),
    }));
    // Far away: 0.3° to 2° off in latitude and longitude.
    add(150, () => ({
      driverId: null,
      serviceTypeId: 1,
      status: 'REQUESTED',
      pickup: {
        latitude: CENTRE.latitude + pick([-1, 1]) * between(0.3, 2),
        longitude: CENTRE.longitude + pick([-1, 1]) * between(0.3, 2),
      },
    }));
    // Finished rides of the driver's type, right in the middle.
    add(120, () => ({
      driverId: null,
      serviceTypeId: 1,
      status: pick(['COMPLETED', 'CANCELLED'] as const),
      pickup: jitter(CENTRE, 0.05),
    }));
    // Rides that already have a driver.
    const busy = await bulkUsers(2, 80);
    for (const driverId of busy) {
      seeds.push({
        driverId,
        serviceTypeId: 1,
        status: pick(['ACCEPTED', 'ARRIVING', 'IN_PROGRESS'] as const),
        pickup: jitter(CENTRE, 0.05),
      });
    }
    const riders = await bulkUsers(1, seeds.length);
    rides = await bulkRides(seeds.map((seed, index) => ({ ...seed, riderId: riders[index] })));
  });

  it('stored every seeded ride', async () => {
    expect(rides).toHaveLength(3000);
    expect(new Set(rides.map((ride) => ride.id)).size).toBe(3000);
  });

  it('lists, for a driver at the centre, the nearest REQUESTED rides of their type in each radius', async () => {
    const driver = await insertDriver(t, { serviceTypeId: 1, at: CENTRE });
    const sizes: number[] = [];
    for (const radiusKm of RADII) {
      const response = await openRides(driver, `?radiusKm=${radiusKm}&limit=50`);
      expect(response.status).toBe(200);
      checkOpenRides(`centre r=${radiusKm}`, response.body, rides, CENTRE, 1, radiusKm, 50);
      sizes.push(response.body.length);
    }
    // The data covers both a short list and a full page.
    expect(Math.min(...sizes)).toBeLessThan(50);
    expect(Math.max(...sizes)).toBe(50);
    // The rides at the centre itself come first, 0 km away, by id.
    const first = await openRides(driver, '?radiusKm=1&limit=3');
    expect(first.body.map((row: OpenRideBody) => [row.id, row.distanceKm])).toEqual(
      rides
        .slice(0, 3)
        .map((ride) => ride.id)
        .sort((a, b) => a - b)
        .map((id) => [id, 0]),
    );
  });

  it('defaults to 5 km and 20 rides', async () => {
    const driver = await insertDriver(t, { serviceTypeId: 1, at: CENTRE });
    const response = await openRides(driver, '');
    expect(response.status).toBe(200);
    checkOpenRides('defaults', response.body, rides, CENTRE, 1, 5, 20);
    expect(response.body).toHaveLength(20);
  });

  it('lists only the rides of the driver’s own service type', async () => {
    for (const serviceTypeId of [2, 3]) {
      const driver = await insertDriver(t, { serviceTypeId, at: CENTRE });
      for (const radiusKm of RADII) {
        const response = await openRides(driver, `?radiusKm=${radiusKm}&limit=50`);
        expect(response.status).toBe(200);
        checkOpenRides(
          `type ${serviceTypeId} r=${radiusKm}`,
          response.body,
          rides,
          CENTRE,
          serviceTypeId,
          radiusKm,
          50,
        );
      }
    }
  });

  it('agrees with the haversine for drivers at random positions', async () => {
    for (let i = 0; i < 6; i += 1) {
      const at = jitter(CENTRE, 0.2);
      const serviceTypeId = i % 3 === 2 ? 2 : 1;
      const driver = await insertDriver(t, { serviceTypeId, at });
      for (const radiusKm of RADII) {
        const response = await openRides(driver, `?radiusKm=${radiusKm}&limit=50`);
        expect(response.status).toBe(200);
        checkOpenRides(
          `driver ${i} at ${at.latitude},${at.longitude} type ${serviceTypeId} r=${radiusKm}`,
          response.body,
          rides,
          at,
          serviceTypeId,
          radiusKm,
          50,
        );
      }
    }
  });

  it('follows a driver who moves (PUT /api/drivers/me/location)', async () => {
    const driver = await insertDriver(t, { serviceTypeId: 1, at: CENTRE });
    const moved = jitter(CENTRE, 0.15);
    await putLocation(t, driver, moved).expect(200);
    const response = await openRides(driver, '?radiusKm=3&limit=50');
    expect(response.status).toBe(200);
    checkOpenRides('after moving', response.body, rides, moved, 1, 3, 50);
  });

  it('rejects radii and limits outside the documented ranges', async () => {
    const driver = await insertDriver(t, { serviceTypeId: 1, at: CENTRE });
    for (const query of [
      'radiusKm=0',
      'radiusKm=51',
      'radiusKm=-1',
      'radiusKm=abc',
      'limit=0',
      'limit=51',
      'limit=2.5',
    ]) {
      const response = await openRides(driver, `?${query}`);
      expect({ query, status: response.status, success: response.body.success }).toEqual({
        query,
        status: 400,
        success: false,
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Free drivers near a point
// ---------------------------------------------------------------------------------------------

describe('GET /api/drivers/nearby among thousands of drivers', () => {
  /** Paris. */
  const CENTRE: Point = { latitude: 48.8566, longitude: 2.3522 };
  let drivers: SeededDriver[];
  let rider: Account;

  beforeAll(async () => {
    rider = await insertRider(t);
    const seeds: DriverSeed[] = [];
    for (let i = 0; i < 3000; i += 1) {
      const located = rand() < 0.9;
      const stale = rand() < 0.25;
      const roll = rand();
      seeds.push({
        online: rand() < 0.75,
        serviceTypeId: pick([1, 2, 3]),
        position: located ? jitter(CENTRE, 0.2) : null,
        // Fresh ones well inside the limit, stale ones well outside it.
        reportedSecondsAgo: stale ? between(STALE_SECONDS + 60, 86_400) : between(0, 30),
        ride:
          roll < 0.1
            ? pick(['ACCEPTED', 'ARRIVING', 'IN_PROGRESS'] as const)
            : roll < 0.15
              ? pick(['COMPLETED', 'CANCELLED'] as const)
              : undefined,
      });
    }
    drivers = await bulkDrivers(seeds);
  });

  it('counts online, fresh, free drivers within the radius, with the nearest one’s minutes', async () => {
    const points = [CENTRE, ...Array.from({ length: 7 }, () => jitter(CENTRE, 0.2))];
    const cases = points.flatMap((at) =>
      [0.5, 1, 3, 5, 10, 50].flatMap((radiusKm) =>
        [undefined, 1, 2, 3].map((serviceTypeId) => ({ at, radiusKm, serviceTypeId })),
      ),
    );
    const outcomes = { empty: 0, found: 0 };
    await inBatches(cases, 8, async ({ at, radiusKm, serviceTypeId }) => {
      const query =
        `?latitude=${at.latitude}&longitude=${at.longitude}&radiusKm=${radiusKm}` +
        (serviceTypeId === undefined ? '' : `&serviceTypeId=${serviceTypeId}`);
      const response = await nearby(rider, query);
      expect({ query, status: response.status }).toEqual({ query, status: 200 });
      checkNearby(query, response.body, drivers, at, radiusKm, serviceTypeId);
      outcomes[response.body.count === 0 ? 'empty' : 'found'] += 1;
    });
    // Both branches (none near, some near) were exercised.
    expect(outcomes.empty).toBeGreaterThan(0);
    expect(outcomes.found).toBeGreaterThan(0);
  });

  it('answers count 0 and null minutes where nobody drives', async () => {
    const response = await nearby(rider, '?latitude=0&longitude=-140&radiusKm=50');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ count: 0, nearestPickupMinutes: null, radiusKm: 50 });
  });

  it('defaults to a 5 km radius', async () => {
    const response = await nearby(
      rider,
      `?latitude=${CENTRE.latitude}&longitude=${CENTRE.longitude}`,
    );
    expect(response.status).toBe(200);
    checkNearby('default radius', response.body, drivers, CENTRE, 5);
  });

  it('is open to drivers too, and closed to anonymous callers', async () => {
    const driver = await insertDriver(t);
    const query = `?latitude=${CENTRE.latitude}&longitude=${CENTRE.longitude}&radiusKm=3`;
    const response = await nearby(driver, query);
    expect(response.status).toBe(200);
    checkNearby('as a driver', response.body, drivers, CENTRE, 3);
    expect((await t.http.get(`/api/drivers/nearby${query}`)).status).toBe(401);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Validation
// ---------------------------------------------------------------------------------------------

describe('coordinate validation', () => {
  /** Sydney. */
  const HOME: Point = { latitude: -33.8688, longitude: 151.2093 };

  it('refuses out-of-range, non-numeric and missing coordinates and radii on nearby', async () => {
    const rider = await insertRider(t);
    for (const query of [
      'latitude=91&longitude=0',
      'latitude=-91&longitude=0',
      'latitude=0&longitude=181',
      'latitude=0&longitude=-181',
      'latitude=abc&longitude=0',
      'latitude=0&longitude=abc',
      'longitude=0',
      'latitude=0',
      '',
      'latitude=0&longitude=0&radiusKm=0',
      'latitude=0&longitude=0&radiusKm=51',
      'latitude=0&longitude=0&radiusKm=-1',
      'latitude=0&longitude=0&radiusKm=abc',
    ]) {
      const response = await nearby(rider, `?${query}`);
      expect({ query, status: response.status, body: response.body }).toMatchObject({
        query,
        status: 400,
        body: { success: false, statusCode: 400 },
      });
    }
  });

  it.each([
    ['an empty latitude', 'latitude=&longitude=0', 'latitude'],
    ['an empty longitude', 'latitude=0&longitude=', 'longitude'],
    ['a blank latitude', 'latitude=%20&longitude=0', 'latitude'],
    [
      'a serviceTypeId past 32 bits',
      'latitude=0&longitude=0&serviceTypeId=99999999999',
      'serviceTypeId',
    ],
  ])('refuses %s on nearby, naming the field', async (_, query, field) => {
    const rider = await insertRider(t);
    const response = await nearby(rider, `?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field })]),
    );
  });

  it('accepts the extremes of the ranges on nearby', async () => {
    const rider = await insertRider(t);
    for (const query of [
      'latitude=90&longitude=180&radiusKm=0.1',
      'latitude=-90&longitude=-180&radiusKm=50',
    ]) {
      const response = await nearby(rider, `?${query}`);
      expect({ query, status: response.status }).toEqual({ query, status: 200 });
    }
  });

  it('refuses bad coordinates on PUT /api/drivers/me/location and keeps the stored position', async () => {
    const driver = await insertDriver(t, { at: HOME, reportedSecondsAgo: 10 });
    const before = await storedLocation(driver.id);
    for (const body of [
      { latitude: 91, longitude: 0 },
      { latitude: -91, longitude: 0 },
      { latitude: 0, longitude: 181 },
      { latitude: 0, longitude: -181 },
      { latitude: 'abc', longitude: 0 },
      { latitude: 0, longitude: 'abc' },
      { latitude: null, longitude: null },
      { longitude: 0 },
      { latitude: 0 },
      {},
    ]) {
      const response = await t.http
        .put('/api/drivers/me/location')
        .set('Authorization', bearer(driver))
        .send(body);
      expect({ body, status: response.status, success: response.body.success }).toEqual({
        body,
        status: 400,
        success: false,
      });
    }
    expect(await storedLocation(driver.id)).toEqual(before);
    expect(before.latitude).toBe(HOME.latitude);
  });

  it('refuses a location from an offline driver with 409 and stores nothing', async () => {
    const driver = await insertDriver(t, { online: false });
    const response = await putLocation(t, driver, HOME);
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ success: false, statusCode: 409 });
    expect(await storedLocation(driver.id)).toEqual({
      latitude: null,
      longitude: null,
      locationUpdatedAt: null,
    });
  });

  it('refuses a location from a rider with 403', async () => {
    const rider = await insertRider(t);
    const response = await putLocation(t, rider, HOME);
    expect(response.status).toBe(403);
    expect((await openRides(rider, '')).status).toBe(403);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Staleness
// ---------------------------------------------------------------------------------------------

describe('stale driver locations', () => {
  /** Tokyo. */
  const CENTRE: Point = { latitude: 35.6762, longitude: 139.6503 };

  it('are ignored by nearby and block open rides until the driver reports again', async () => {
    const rider = await insertRider(t);
    const pickup = { latitude: CENTRE.latitude + 0.01, longitude: CENTRE.longitude + 0.01 };
    const rideId = await createRide(t, rider, {
      pickupLatitude: pickup.latitude,
      pickupLongitude: pickup.longitude,
      destinationLatitude: CENTRE.latitude + 0.05,
      destinationLongitude: CENTRE.longitude,
    });
    const driver = await insertDriver(t, {
      at: CENTRE,
      reportedSecondsAgo: STALE_SECONDS + 30,
    });
    const query = `?latitude=${CENTRE.latitude}&longitude=${CENTRE.longitude}&radiusKm=5`;

    const unseen = await nearby(rider, query);
    expect(unseen.status).toBe(200);
    expect(unseen.body).toEqual({ count: 0, nearestPickupMinutes: null, radiusKm: 5 });

    const blocked = await openRides(driver, '?radiusKm=5');
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({ success: false, statusCode: 409 });
    expect(blocked.body.message).toMatch(/location/i);

    const moved = { latitude: CENTRE.latitude - 0.02, longitude: CENTRE.longitude + 0.005 };
    const reported = await putLocation(t, driver, moved);
    expect(reported.status).toBe(200);
    expect(reported.body).toMatchObject(moved);
    expect(Math.abs(Date.parse(reported.body.updatedAt) - Date.now())).toBeLessThan(10_000);

    const seen = await nearby(rider, query);
    expect(seen.body).toEqual({
      count: 1,
      nearestPickupMinutes: expectedPickupMinutes(haversineMeters(CENTRE, moved)),
      radiusKm: 5,
    });

    const open = await openRides(driver, '?radiusKm=5');
    expect(open.status).toBe(200);
    expect(open.body.map((row: OpenRideBody) => row.id)).toEqual([rideId]);
    expect(Math.abs(open.body[0].distanceKm * 1000 - haversineMeters(moved, pickup))).toBeLessThan(
      0.501,
    );
  });

  it('counts a location reported a little inside the limit', async () => {
    const rider = await insertRider(t);
    const at = { latitude: CENTRE.latitude + 0.3, longitude: CENTRE.longitude + 0.3 };
    await insertDriver(t, { at, reportedSecondsAgo: STALE_SECONDS - 30 });
    const response = await nearby(
      rider,
      `?latitude=${at.latitude}&longitude=${at.longitude}&radiusKm=1`,
    );
    expect(response.body).toEqual({
      count: 1,
      nearestPickupMinutes: expectedPickupMinutes(0),
      radiusKm: 1,
    });
  });

  it('asks offline drivers and drivers without a location to act before listing open rides', async () => {
    // A ride at hand: only the driver's own state keeps it from the one who stands beside it.
    const at = { latitude: CENTRE.latitude - 0.3, longitude: CENTRE.longitude - 0.3 };
    await createRide(t, await insertRider(t), {
      pickupLatitude: at.latitude,
      pickupLongitude: at.longitude,
      destinationLatitude: at.latitude + 0.05,
      destinationLongitude: at.longitude,
    });
    const offline = await insertDriver(t, { online: false });
    const offlineThere = await insertDriver(t, { at, online: false });
    const unlocated = await insertDriver(t, { online: true });
    for (const driver of [offline, offlineThere, unlocated]) {
      const response = await openRides(driver, '');
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ success: false, statusCode: 409 });
    }
    const online = await openRides(await insertDriver(t, { at }), '');
    expect(online.status).toBe(200);
    expect(online.body).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. The antimeridian and the poles
// ---------------------------------------------------------------------------------------------

describe('across the antimeridian and over the poles', () => {
  async function seedRides(points: Point[], serviceTypeId = 1): Promise<SeededRide[]> {
    const riders = await bulkUsers(1, points.length);
    return bulkRides(
      points.map((pickup, index) => ({
        riderId: riders[index],
        driverId: null,
        serviceTypeId,
        status: 'REQUESTED',
        pickup,
      })),
    );
  }

  async function checkDriverAt(at: Point, rides: SeededRide[], label: string) {
    const driver = await insertDriver(t, { serviceTypeId: 1, at });
    for (const radiusKm of [1, 3, 5, 10]) {
      const response = await openRides(driver, `?radiusKm=${radiusKm}&limit=50`);
      expect(response.status).toBe(200);
      checkOpenRides(`${label} r=${radiusKm}`, response.body, rides, at, 1, radiusKm, 50);
    }
  }

  it('finds rides just across ±180° longitude from a driver at 179.99°', async () => {
    /** Fiji, where the antimeridian runs over land. */
    const at: Point = { latitude: -16.5, longitude: 179.99 };
    const points: Point[] = [
      { latitude: -16.5, longitude: -179.99 },
      { latitude: -16.5, longitude: -179.98 },
      { latitude: -16.51, longitude: -179.995 },
      { latitude: -16.5, longitude: 180 },
      { latitude: -16.5, longitude: -180 },
      { latitude: -16.49, longitude: -179.96 },
      { latitude: -16.5, longitude: -179.9 },
      { latitude: -16.5, longitude: 179.95 },
      ...Array.from({ length: 300 }, () => ({
        latitude: -16.5 + between(-0.1, 0.1),
        longitude: wrap(180 + between(-0.15, 0.15)),
      })),
    ];
    const rides = await seedRides(points);
    // The sanity of the data itself: rides east of the line are within a few km of the driver.
    const east = rides.filter((ride) => ride.pickup.longitude < 0);
    expect(east.filter((ride) => haversineMeters(at, ride.pickup) <= 5000).length).toBeGreaterThan(
      10,
    );
    expect(haversineMeters(at, { latitude: -16.5, longitude: -179.99 })).toBeLessThan(2200);

    // The hand-picked rides on the line or east of it, within 3 km by the haversine, are listed.
    const handPickedWithin3Km = rides
      .slice(0, 8)
      .filter(
        (ride) =>
          ride.pickup.longitude <= -180 ||
          ride.pickup.longitude >= 180 ||
          ride.pickup.longitude < 0,
      )
      .filter((ride) => haversineMeters(at, ride.pickup) <= 3000);
    expect(handPickedWithin3Km.length).toBeGreaterThanOrEqual(3);
    const driver = await insertDriver(t, { serviceTypeId: 1, at });
    const response = await openRides(driver, '?radiusKm=3&limit=50');
    expect(response.body.map((row: OpenRideBody) => row.id)).toEqual(
      expect.arrayContaining(handPickedWithin3Km.map((ride) => ride.id)),
    );
    await checkDriverAt(at, rides, 'antimeridian west side');
    await checkDriverAt({ latitude: -16.52, longitude: -179.985 }, rides, 'antimeridian east side');
    await checkDriverAt({ latitude: -16.5, longitude: 180 }, rides, 'on the antimeridian');
  });

  it('finds rides on the far side of the north pole', async () => {
    const at: Point = { latitude: 89.99, longitude: 0 };
    const points: Point[] = [
      { latitude: 89.99, longitude: 180 },
      { latitude: 89.995, longitude: 90 },
      { latitude: 90, longitude: 0 },
      { latitude: 89.98, longitude: -120 },
      { latitude: 89.95, longitude: 180 },
      ...Array.from({ length: 300 }, () => ({
        latitude: between(89.85, 90),
        longitude: between(-180, 180),
      })),
    ];
    const rides = await seedRides(points);
    // 89.99° N at 0° and at 180° are 0.02° of arc apart, across the pole.
    expect(haversineMeters(at, points[0])).toBeLessThan(2300);
    await checkDriverAt(at, rides, 'north pole');
    await checkDriverAt({ latitude: 90, longitude: 0 }, rides, 'at the north pole');
    await checkDriverAt({ latitude: 89.97, longitude: -170 }, rides, 'near the north pole');
  });

  it('counts nearby drivers across the antimeridian and around the south pole', async () => {
    const rider = await insertRider(t);
    const seeds: DriverSeed[] = [];
    for (let i = 0; i < 300; i += 1) {
      const nearPole = i % 2 === 0;
      seeds.push({
        online: rand() < 0.85,
        serviceTypeId: pick([1, 2]),
        position: nearPole
          ? { latitude: between(-90, -89.85), longitude: between(-180, 180) }
          : { latitude: between(-0.1, 0.1), longitude: wrap(180 + between(-0.15, 0.15)) },
        reportedSecondsAgo: rand() < 0.2 ? STALE_SECONDS + 600 : between(0, 30),
      });
    }
    const drivers = await bulkDrivers(seeds);
    const points: Point[] = [
      { latitude: 0, longitude: 180 },
      { latitude: 0, longitude: -180 },
      { latitude: 0.02, longitude: 179.99 },
      { latitude: -0.03, longitude: -179.97 },
      { latitude: -90, longitude: 0 },
      { latitude: -89.99, longitude: 180 },
      { latitude: -89.95, longitude: 45 },
    ];
    for (const at of points) {
      for (const radiusKm of [1, 3, 5, 10]) {
        for (const serviceTypeId of [undefined, 1]) {
          const query =
            `?latitude=${at.latitude}&longitude=${at.longitude}&radiusKm=${radiusKm}` +
            (serviceTypeId === undefined ? '' : `&serviceTypeId=${serviceTypeId}`);
          const response = await nearby(rider, query);
          expect({ query, status: response.status }).toEqual({ query, status: 200 });
          checkNearby(query, response.body, drivers, at, radiusKm, serviceTypeId);
        }
      }
    }
  });
});
