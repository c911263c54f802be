import { STATUS_CODES } from 'node:http';
import { QueryTypes } from 'sequelize';
import type { Response } from 'supertest';
import { REFERENCE_SERVICE_TYPES, type ReferenceServiceType } from '../../src/common/built-ins';
import { type Account, bearer } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import {
  createRide,
  insertDriver,
  insertRider,
  OAKLAND,
  putLocation,
  type RideBody,
  rideAction,
  rideBody,
  requestRide,
  SF,
  storedRide,
} from '../support/rides';

/**
 * Black-box tests of requesting, quoting, listing and reading rides. Every expected estimate and
 * fare is computed here from the coordinates, with the documented formula and constants.
 */

// --- The documented formula, written out independently of src/ ---------------------------------

/** earthdistance's sphere. */
const EARTH_RADIUS_METERS = 6_378_168;
const METERS_PER_MILE = 1609.344;
/** RIDE_ROAD_FACTOR and RIDE_AVERAGE_SPEED_MPH defaults. */
const ROAD_FACTOR = 1.3;
const AVERAGE_SPEED_MPH = 20;

interface Point {
  latitude: number;
  longitude: number;
}

interface Rates {
  baseFare: number;
  perMileRate: number;
  perMinuteRate: number;
}

interface ServiceTypeBody extends Rates {
  id: number;
  name: string;
  maxPassengers: number;
  isActive: boolean;
}

/** A seeded reference type as the API shows it. */
const shown = ({ legacyName: _legacyName, ...type }: ReferenceServiceType): ServiceTypeBody => ({
  ...type,
  isActive: true,
});
const [SWIFTRIDE_X, SWIFTRIDE_SUV, SWIFTRIDE_BLACK] = REFERENCE_SERVICE_TYPES.map(shown);

const toRadians = (degrees: number) => (degrees * Math.PI) / 180;
const toHundredths = (value: number) => Math.round(value * 100) / 100;

function haversineMeters(from: Point, to: Point): number {
  const dLat = toRadians(to.latitude - from.latitude);
  const dLng = toRadians(to.longitude - from.longitude);
  const a =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(toRadians(from.latitude)) * Math.cos(toRadians(to.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(a)));
}

interface RideBodyPoints {
  pickupLatitude: number;
  pickupLongitude: number;
  destinationLatitude: number;
  destinationLongitude: number;
}

interface Trip {
  distanceMiles: number;
  durationMinutes: number;
}

function expectedTrip(body: RideBodyPoints): Trip {
  const meters = haversineMeters(
    { latitude: body.pickupLatitude, longitude: body.pickupLongitude },
    { latitude: body.destinationLatitude, longitude: body.destinationLongitude },
  );
  const distanceMiles = toHundredths((meters / METERS_PER_MILE) * ROAD_FACTOR);
  const durationMinutes = toHundredths((distanceMiles / AVERAGE_SPEED_MPH) * 60);
  return { distanceMiles, durationMinutes };
}

/** base + perMile × miles + perMinute × minutes, half-up to the cent, in whole hundredths of cents. */
function expectedFare(rates: Rates, trip: Trip): number {
  const cents = (money: number) => Math.round(money * 100);
  const hundredthsOfCents =
    cents(rates.baseFare) * 100 +
    cents(rates.perMileRate) * Math.round(trip.distanceMiles * 100) +
    cents(rates.perMinuteRate) * Math.round(trip.durationMinutes * 100);
  const wholeCents = Math.floor((hundredthsOfCents + 50) / 100);
  return wholeCents / 100;
}

/** The destination straight north of `from` whose road distance is `miles`. */
function northOf(from: Point, miles: number): Point {
  const meters = (miles / ROAD_FACTOR) * METERS_PER_MILE;
  const degrees = (meters / EARTH_RADIUS_METERS) * (180 / Math.PI);
  return { latitude: from.latitude + degrees, longitude: from.longitude };
}

// --- Helpers --------------------------------------------------------------------------------------

let t: TestApp;

beforeAll(async () => {
  // Drivers of many tests wait at one point and accept rides meant for them: broadcast dispatch
  // (ranked dispatch would offer each ride to the three nearest, whichever tests they belong to).
  t = await createTestApp({ DISPATCH_MODE: 'broadcast' });
});
afterAll(() => t.close());

function expectError(response: Response, status: number): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status,
    body: expect.objectContaining({
      success: false,
      statusCode: status,
      error: STATUS_CODES[status],
      message: expect.any(String),
    }),
  });
  expect(Array.isArray(response.body.message)).toBe(false);
}

async function countRides(
  where = 'TRUE',
  replacements: Record<string, unknown> = {},
): Promise<number> {
  const [row] = await t.sequelize.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "RideRequests" WHERE ${where}`,
    { replacements, type: QueryTypes.SELECT },
  );
  return row.n;
}

const activeRidesOf = (rider: Account) =>
  countRides(`"riderId" = :id AND status IN ('REQUESTED', 'ACCEPTED', 'ARRIVING', 'IN_PROGRESS')`, {
    id: rider.id,
  });

const getRide = (account: Account | string, rideId: number | string) =>
  t.http
    .get(`/api/rides/${rideId}`)
    .set('Authorization', typeof account === 'string' ? `Bearer ${account}` : bearer(account));

const getAs = (account: Account, path: string) =>
  t.http.get(path).set('Authorization', bearer(account));

async function activeServiceTypes(): Promise<ServiceTypeBody[]> {
  const response = await t.http.get('/api/service-types').expect(200);
  return [...(response.body as ServiceTypeBody[])].sort((a, b) => a.id - b.id);
}

/** accept → arriving → start → complete, each checked. */
async function driveThrough(driver: Account, rideId: number): Promise<void> {
  for (const action of ['accept', 'arriving', 'start', 'complete']) {
    const response = await rideAction(t, driver, rideId, action);
    expect({ action, status: response.status, body: response.body }).toMatchObject({
      action,
      status: 200,
    });
  }
}

/** No money or estimate is ever a quoted decimal like "22.60". */
function expectNoQuotedDecimals(text: string): void {
  expect(text).not.toMatch(/":\s*"-?\d+(\.\d+)?"/);
}

// --- POST /api/rides ------------------------------------------------------------------------------

describe('POST /api/rides', () => {
  it("creates a SwiftRide X ride from exactly the iOS client's body, priced by the formula", async () => {
    const rider = await insertRider(t);
    const body = rideBody();
    expect(Object.keys(body).sort()).toEqual(
      [
        'destinationAddress',
        'destinationLatitude',
        'destinationLongitude',
        'pickupAddress',
        'pickupLatitude',
        'pickupLongitude',
      ].sort(),
    );
    const before = Date.now();
    const response = await t.http.post('/api/rides').set('Authorization', bearer(rider)).send(body);
    expect(response.status).toBe(201);

    const trip = expectedTrip(body);
    // SF → Oakland is about 13.4 km as the crow flies: a sanity check of the test's own formula.
    expect(trip.distanceMiles).toBeGreaterThan(10);
    expect(trip.distanceMiles).toBeLessThan(12);
    expect(response.body).toEqual({ success: true, ride: expect.any(Object) });
    const ride = response.body.ride;
    expect(ride).toMatchObject({
      status: 'REQUESTED',
      riderId: rider.id,
      driverId: null,
      driver: null,
      rider: { id: rider.id, username: rider.username },
      pickupLatitude: body.pickupLatitude,
      pickupLongitude: body.pickupLongitude,
      pickupAddress: body.pickupAddress,
      destinationLatitude: body.destinationLatitude,
      destinationLongitude: body.destinationLongitude,
      destinationAddress: body.destinationAddress,
      serviceTypeId: 1,
      serviceType: SWIFTRIDE_X,
      estimatedDistanceMiles: trip.distanceMiles,
      estimatedDurationMinutes: trip.durationMinutes,
      estimatedFare: expectedFare(SWIFTRIDE_X, trip),
      finalFare: null,
      acceptedAt: null,
      cancelledAt: null,
      cancelledBy: null,
      rating: null,
    });
    expect(typeof ride.id).toBe('number');
    for (const field of ['estimatedFare', 'estimatedDistanceMiles', 'estimatedDurationMinutes']) {
      expect({ field, type: typeof ride[field] }).toEqual({ field, type: 'number' });
    }
    expectNoQuotedDecimals(response.text);
    const requestedAt = new Date(ride.requestedAt).getTime();
    expect(Math.abs(requestedAt - before)).toBeLessThan(60_000);

    const row = await storedRide(t, ride.id);
    expect(row).toMatchObject({ riderId: rider.id, status: 'REQUESTED', serviceTypeId: 1 });
    expect(Number(row.estimatedFare)).toBe(expectedFare(SWIFTRIDE_X, trip));
  });

  it('rounds a half-cent fare up, where floating-point arithmetic would round it down', async () => {
    // 1.9 road miles north of SF: 5.7 minutes; 2.50 + 1.20 × 1.9 + 0.25 × 5.7 = 6.205 → 6.21.
    const destination = northOf(SF, 1.9);
    const body = rideBody({
      destinationLatitude: destination.latitude,
      destinationLongitude: destination.longitude,
    });
    const trip = expectedTrip(body);
    expect(trip).toEqual({ distanceMiles: 1.9, durationMinutes: 5.7 });
    const naive = Math.round((2.5 + 1.2 * 1.9 + 0.25 * 5.7) * 100) / 100;
    expect(naive).toBe(6.2);
    expect(expectedFare(SWIFTRIDE_X, trip)).toBe(6.21);

    const rider = await insertRider(t);
    const response = await requestRide(t, rider, body);
    expect(response.status).toBe(201);
    expect(response.body.ride).toMatchObject({
      estimatedDistanceMiles: 1.9,
      estimatedDurationMinutes: 5.7,
      estimatedFare: 6.21,
    });
    expect((await storedRide(t, response.body.ride.id)).estimatedFare).toBe('6.21');
  });

  it('prices a ride of serviceTypeId 3 with the SwiftRide Black fares', async () => {
    const rider = await insertRider(t);
    const body = rideBody({ serviceTypeId: 3 });
    const response = await requestRide(t, rider, body);
    expect(response.status).toBe(201);
    const trip = expectedTrip(body);
    expect(response.body.ride).toMatchObject({
      serviceTypeId: 3,
      serviceType: SWIFTRIDE_BLACK,
      estimatedDistanceMiles: trip.distanceMiles,
      estimatedDurationMinutes: trip.durationMinutes,
      estimatedFare: expectedFare(SWIFTRIDE_BLACK, trip),
    });
    expect(response.body.ride.estimatedFare).not.toBe(expectedFare(SWIFTRIDE_X, trip));
  });

  it("accepts the original server's serviceType names ('SWIFTRIDE_SUV' is type 2)", async () => {
    const rider = await insertRider(t);
    const body = rideBody({ serviceType: 'SWIFTRIDE_SUV' });
    const response = await requestRide(t, rider, body);
    expect(response.status).toBe(201);
    expect(response.body.ride).toMatchObject({
      serviceTypeId: 2,
      serviceType: SWIFTRIDE_SUV,
      estimatedFare: expectedFare(SWIFTRIDE_SUV, expectedTrip(body)),
    });
  });

  it('refuses an unknown service type id (999) with 400 and creates nothing', async () => {
    const rider = await insertRider(t);
    const response = await requestRide(t, rider, { serviceTypeId: 999 });
    expectError(response, 400);
    expect(response.body.details).toEqual([
      { field: 'serviceTypeId', message: expect.stringContaining('999') },
    ]);
    expect(await countRides(`"riderId" = :id`, { id: rider.id })).toBe(0);
  });

  it('refuses a service type an admin has deactivated, and no longer quotes it', async () => {
    const created = await t.admin.post('/api/service-types').send({
      name: `SwiftRide Test ${process.pid}`,
      baseFare: 3.1,
      perMileRate: 1.35,
      perMinuteRate: 0.2,
      maxPassengers: 3,
    });
    expect(created.status).toBe(201);
    const type = created.body as ServiceTypeBody;

    // While active it can be booked, at its own fares.
    const first = await insertRider(t);
    const booked = await requestRide(t, first, { serviceTypeId: type.id });
    expect(booked.status).toBe(201);
    expect(booked.body.ride.estimatedFare).toBe(expectedFare(type, expectedTrip(rideBody())));

    await t.admin.patch(`/api/service-types/${type.id}`).send({ isActive: false }).expect(200);
    const rider = await insertRider(t);
    const refused = await requestRide(t, rider, { serviceTypeId: type.id });
    expectError(refused, 400);
    expect(refused.body.details).toEqual([{ field: 'serviceTypeId', message: expect.any(String) }]);
    expect(await countRides(`"riderId" = :id`, { id: rider.id })).toBe(0);

    const { pickupAddress: _from, destinationAddress: _to, ...points } = rideBody();
    const estimate = await t.http
      .post('/api/rides/estimate')
      .set('Authorization', bearer(rider))
      .send(points);
    expect(estimate.status).toBe(200);
    expect(
      estimate.body.quotes.map((q: { serviceType: { id: number } }) => q.serviceType.id),
    ).not.toContain(type.id);
  });

  it('falls back to another active type when "SwiftRide X" is inactive, and refuses SWIFTRIDE_X', async () => {
    await t.admin.patch('/api/service-types/1').send({ isActive: false }).expect(200);
    try {
      const active = await activeServiceTypes();
      expect(active.map((type) => type.id)).not.toContain(1);

      const rider = await insertRider(t);
      const response = await requestRide(t, rider);
      expect(response.status).toBe(201);
      const ride = response.body.ride;
      expect(ride.serviceTypeId).not.toBe(1);
      const type = active.find((candidate) => candidate.id === ride.serviceTypeId);
      expect(type).toBeDefined();
      expect(ride.serviceType).toEqual(type);
      expect(ride.estimatedFare).toBe(expectedFare(type!, expectedTrip(rideBody())));

      const other = await insertRider(t);
      expectError(await requestRide(t, other, { serviceType: 'SWIFTRIDE_X' }), 400);
      expectError(await requestRide(t, other, { serviceTypeId: 1 }), 400);
      expect(await countRides(`"riderId" = :id`, { id: other.id })).toBe(0);
    } finally {
      await t.admin.patch('/api/service-types/1').send({ isActive: true }).expect(200);
    }
    const rider = await insertRider(t);
    const again = await requestRide(t, rider);
    expect(again.status).toBe(201);
    expect(again.body.ride.serviceTypeId).toBe(1);
  });

  describe('validation', () => {
    const longAddress = 'x'.repeat(256);
    const cases: [string, Record<string, unknown>, string][] = [
      ['pickupLatitude above 90', { pickupLatitude: 90.0001 }, 'pickupLatitude'],
      ['destinationLatitude below -90', { destinationLatitude: -91 }, 'destinationLatitude'],
      ['pickupLongitude above 180', { pickupLongitude: 180.5 }, 'pickupLongitude'],
      [
        'destinationLongitude below -180',
        { destinationLongitude: -180.01 },
        'destinationLongitude',
      ],
      ['a latitude sent as a string', { pickupLatitude: '37.7' }, 'pickupLatitude'],
      ['a longitude sent as a string', { destinationLongitude: '-122.27' }, 'destinationLongitude'],
      ['a null latitude', { pickupLatitude: null }, 'pickupLatitude'],
      ['a null address', { destinationAddress: null }, 'destinationAddress'],
      ['an empty pickup address', { pickupAddress: '' }, 'pickupAddress'],
      [
        'a whitespace-only destination address',
        { destinationAddress: '   ' },
        'destinationAddress',
      ],
      ['a 256-character address', { pickupAddress: longAddress }, 'pickupAddress'],
      ['an address that is a number', { pickupAddress: 42 }, 'pickupAddress'],
      ['serviceTypeId 0', { serviceTypeId: 0 }, 'serviceTypeId'],
      ["serviceTypeId '1' (a string)", { serviceTypeId: '1' }, 'serviceTypeId'],
      ['serviceTypeId 1.5', { serviceTypeId: 1.5 }, 'serviceTypeId'],
      ['serviceTypeId null', { serviceTypeId: null }, 'serviceTypeId'],
      ["serviceType 'UBER'", { serviceType: 'UBER' }, 'serviceType'],
      [
        'pickup and destination at the same point',
        { destinationLatitude: SF.latitude, destinationLongitude: SF.longitude },
        'destinationLatitude',
      ],
      [
        'pickup and destination 5 m apart',
        // 5 m north: 5 / 6378168 rad
        {
          destinationLatitude: SF.latitude + (5 / EARTH_RADIUS_METERS) * (180 / Math.PI),
          destinationLongitude: SF.longitude,
        },
        'destinationLatitude',
      ],
    ];

    it.each(cases)('refuses %s with 400 and creates no ride', async (_name, overrides, field) => {
      const rider = await insertRider(t);
      const before = await countRides();
      const response = await t.http
        .post('/api/rides')
        .set('Authorization', bearer(rider))
        .send({ ...rideBody(), ...overrides });
      expectError(response, 400);
      expect(response.body.details).toEqual(
        expect.arrayContaining([{ field, message: expect.any(String) }]),
      );
      expect(await countRides()).toBe(before);
    });

    it.each([
      'pickupLatitude',
      'pickupLongitude',
      'pickupAddress',
      'destinationLatitude',
      'destinationLongitude',
      'destinationAddress',
    ] as const)('refuses a body without %s with 400 "… is required"', async (field) => {
      const rider = await insertRider(t);
      const body: Partial<RideBody> = rideBody();
      delete body[field];
      const response = await t.http
        .post('/api/rides')
        .set('Authorization', bearer(rider))
        .send(body);
      expectError(response, 400);
      expect(response.body.details).toEqual([{ field, message: `${field} is required` }]);
      expect(await countRides(`"riderId" = :id`, { id: rider.id })).toBe(0);
    });

    it('refuses an empty body, naming every missing field', async () => {
      const rider = await insertRider(t);
      const response = await t.http.post('/api/rides').set('Authorization', bearer(rider)).send({});
      expectError(response, 400);
      const fields = (response.body.details as { field: string }[]).map((detail) => detail.field);
      expect(new Set(fields)).toEqual(
        new Set([
          'pickupLatitude',
          'pickupLongitude',
          'pickupAddress',
          'destinationLatitude',
          'destinationLongitude',
          'destinationAddress',
        ]),
      );
    });

    it('refuses unknown fields (the pipe forbids non-whitelisted properties)', async () => {
      const rider = await insertRider(t);
      const response = await t.http
        .post('/api/rides')
        .set('Authorization', bearer(rider))
        .send({ ...rideBody(), riderId: 1, estimatedFare: 0.01 });
      expectError(response, 400);
      expect(response.body.details).toEqual(
        expect.arrayContaining([
          { field: 'riderId', message: 'property riderId should not exist' },
          { field: 'estimatedFare', message: 'property estimatedFare should not exist' },
        ]),
      );
      expect(await countRides(`"riderId" = :id`, { id: rider.id })).toBe(0);
    });

    it('accepts the boundaries: latitude ±90, longitude ±180, a 255-character address', async () => {
      const rider = await insertRider(t);
      const body = rideBody({
        pickupLatitude: 90,
        pickupLongitude: 180,
        destinationLatitude: -90,
        destinationLongitude: -180,
        pickupAddress: 'p'.repeat(255),
      });
      const response = await requestRide(t, rider, body);
      expect(response.status).toBe(201);
      // Pole to pole: half the circumference.
      expect(response.body.ride.estimatedDistanceMiles).toBe(expectedTrip(body).distanceMiles);
      expect(response.body.ride.pickupAddress).toBe('p'.repeat(255));
    });

    it('stores addresses trimmed', async () => {
      const rider = await insertRider(t);
      const response = await requestRide(t, rider, { pickupAddress: '  1 Market St  ' });
      expect(response.status).toBe(201);
      expect(response.body.ride.pickupAddress).toBe('1 Market St');
    });
  });

  describe('who may request', () => {
    it('refuses a second active ride with 409, keeps one, and allows a new one after cancelling', async () => {
      const rider = await insertRider(t);
      const first = await createRide(t, rider);
      const second = await requestRide(t, rider);
      expectError(second, 409);
      expect(second.body.message).toContain(String(first));
      expect(await activeRidesOf(rider)).toBe(1);

      const cancelled = await rideAction(t, rider, first, 'cancel');
      expect(cancelled.status).toBe(200);
      expect(cancelled.body.ride).toMatchObject({ status: 'CANCELLED', cancelledBy: 'rider' });
      const third = await requestRide(t, rider);
      expect(third.status).toBe(201);
      expect(third.body.ride.id).not.toBe(first);
      expect(await activeRidesOf(rider)).toBe(1);
    });

    it('refuses a new request while the ride is ACCEPTED by a driver', async () => {
      const rider = await insertRider(t);
      const driver = await insertDriver(t, { at: SF });
      const rideId = await createRide(t, rider);
      expect((await rideAction(t, driver, rideId, 'accept')).status).toBe(200);
      expectError(await requestRide(t, rider), 409);
      expect(await activeRidesOf(rider)).toBe(1);
    });

    it('lets exactly one of 8 simultaneous requests by one rider through', async () => {
      const rider = await insertRider(t);
      const responses = await Promise.all(Array.from({ length: 8 }, () => requestRide(t, rider)));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      expect(await activeRidesOf(rider)).toBe(1);
    });

    it('refuses drivers and admins with 403 and anonymous callers with 401', async () => {
      const driver = await insertDriver(t);
      const before = await countRides();
      expectError(
        await t.http.post('/api/rides').set('Authorization', bearer(driver)).send(rideBody()),
        403,
      );
      expectError(await t.admin.post('/api/rides').send(rideBody()), 403);
      expectError(await t.http.post('/api/rides').send(rideBody()), 401);
      expect(await countRides()).toBe(before);
    });
  });
});

// --- POST /api/rides/estimate ---------------------------------------------------------------------

describe('POST /api/rides/estimate', () => {
  const trip = {
    pickupLatitude: SF.latitude,
    pickupLongitude: SF.longitude,
    destinationLatitude: OAKLAND.latitude,
    destinationLongitude: OAKLAND.longitude,
  };

  it('quotes every active service type, ids ascending, each fare by the formula', async () => {
    const rider = await insertRider(t);
    const response = await t.http
      .post('/api/rides/estimate')
      .set('Authorization', bearer(rider))
      .send(trip);
    expect(response.status).toBe(200);
    expectNoQuotedDecimals(response.text);

    const expected = expectedTrip(trip);
    const active = await activeServiceTypes();
    expect(active.slice(0, 3)).toEqual([SWIFTRIDE_X, SWIFTRIDE_SUV, SWIFTRIDE_BLACK]);
    expect(response.body).toEqual({
      distanceMiles: expected.distanceMiles,
      durationMinutes: expected.durationMinutes,
      quotes: active.map((type) => ({
        serviceType: type,
        distanceMiles: expected.distanceMiles,
        durationMinutes: expected.durationMinutes,
        fare: expectedFare(type, expected),
      })),
    });
    const fares = (response.body.quotes as { fare: number }[]).map((quote) => quote.fare);
    expect(fares.slice(0, 3)).toEqual([
      expectedFare(SWIFTRIDE_X, expected),
      expectedFare(SWIFTRIDE_SUV, expected),
      expectedFare(SWIFTRIDE_BLACK, expected),
    ]);
  });

  it('quotes the same fare a request then stores', async () => {
    const rider = await insertRider(t);
    const body = rideBody({ destinationLatitude: 37.79, destinationLongitude: -122.4 });
    const quote = await t.http
      .post('/api/rides/estimate')
      .set('Authorization', bearer(rider))
      .send({
        pickupLatitude: body.pickupLatitude,
        pickupLongitude: body.pickupLongitude,
        destinationLatitude: body.destinationLatitude,
        destinationLongitude: body.destinationLongitude,
      })
      .expect(200);
    const black = quote.body.quotes.find(
      (candidate: { serviceType: { id: number } }) => candidate.serviceType.id === 3,
    );
    const ride = await requestRide(t, rider, { ...body, serviceTypeId: 3 });
    expect(ride.status).toBe(201);
    expect(ride.body.ride.estimatedFare).toBe(black.fare);
    expect(ride.body.ride.estimatedFare).toBe(expectedFare(SWIFTRIDE_BLACK, expectedTrip(body)));
  });

  it('quotes the base fares for a trip from a point to itself', async () => {
    const rider = await insertRider(t);
    const response = await t.http
      .post('/api/rides/estimate')
      .set('Authorization', bearer(rider))
      .send({ ...trip, destinationLatitude: SF.latitude, destinationLongitude: SF.longitude });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ distanceMiles: 0, durationMinutes: 0 });
    const active = await activeServiceTypes();
    expect(
      (response.body.quotes as { serviceType: { id: number }; fare: number }[]).map((quote) => [
        quote.serviceType.id,
        quote.fare,
      ]),
    ).toEqual(active.map((type) => [type.id, type.baseFare]));
  });

  it('quotes for drivers and admins too, but not anonymous callers', async () => {
    const driver = await insertDriver(t);
    expect(
      (await t.http.post('/api/rides/estimate').set('Authorization', bearer(driver)).send(trip))
        .status,
    ).toBe(200);
    expect((await t.admin.post('/api/rides/estimate').send(trip)).status).toBe(200);
    expectError(await t.http.post('/api/rides/estimate').send(trip), 401);
  });

  it.each([
    ['a latitude above 90', { pickupLatitude: 91 }],
    ['a longitude below -180', { destinationLongitude: -181 }],
    ['a latitude as a string', { destinationLatitude: '37.8' }],
    ['a null longitude', { pickupLongitude: null }],
    ['no destinationLongitude', { destinationLongitude: undefined }],
    ['an unknown field', { surge: 2 }],
  ])('refuses %s with 400', async (_name, overrides) => {
    const rider = await insertRider(t);
    const response = await t.http
      .post('/api/rides/estimate')
      .set('Authorization', bearer(rider))
      .send({ ...trip, ...overrides });
    expectError(response, 400);
    expect(response.body.details).toEqual(expect.any(Array));
  });
});

// --- Reading rides ----------------------------------------------------------------------------------

describe('GET /api/rides/me', () => {
  it("lists a rider's rides newest first, paginated and filtered by status", async () => {
    const rider = await insertRider(t);
    const stranger = await insertRider(t);
    const ids: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const id = await createRide(t, rider);
      ids.push(id);
      if (i < 2) expect((await rideAction(t, rider, id, 'cancel')).status).toBe(200);
    }
    const strangers = await createRide(t, stranger);
    const newestFirst = [...ids].reverse();

    const all = await getAs(rider, '/api/rides/me');
    expect(all.status).toBe(200);
    expectNoQuotedDecimals(all.text);
    expect(all.body.data.map((ride: { id: number }) => ride.id)).toEqual(newestFirst);
    expect(all.body.meta).toEqual({ page: 1, limit: 20, total: 3, totalPages: 1 });
    expect(all.body.data.every((ride: { riderId: number }) => ride.riderId === rider.id)).toBe(
      true,
    );
    expect(all.body.data.map((ride: { id: number }) => ride.id)).not.toContain(strangers);

    const page1 = await getAs(rider, '/api/rides/me?page=1&limit=2');
    expect(page1.body.data.map((ride: { id: number }) => ride.id)).toEqual(newestFirst.slice(0, 2));
    expect(page1.body.meta).toEqual({ page: 1, limit: 2, total: 3, totalPages: 2 });
    const page2 = await getAs(rider, '/api/rides/me?page=2&limit=2');
    expect(page2.body.data.map((ride: { id: number }) => ride.id)).toEqual(newestFirst.slice(2));
    expect(page2.body.meta).toEqual({ page: 2, limit: 2, total: 3, totalPages: 2 });
    const beyond = await getAs(rider, '/api/rides/me?page=3&limit=2');
    expect(beyond.body).toEqual({ data: [], meta: { page: 3, limit: 2, total: 3, totalPages: 2 } });

    const cancelled = await getAs(rider, '/api/rides/me?status=CANCELLED');
    expect(cancelled.body.data.map((ride: { id: number }) => ride.id)).toEqual(
      newestFirst.slice(1),
    );
    expect(cancelled.body.meta).toMatchObject({ total: 2, totalPages: 1 });
    const requested = await getAs(rider, '/api/rides/me?status=REQUESTED');
    expect(requested.body.data.map((ride: { id: number }) => ride.id)).toEqual([ids[2]]);
    const completed = await getAs(rider, '/api/rides/me?status=COMPLETED');
    expect(completed.body).toEqual({
      data: [],
      meta: { page: 1, limit: 20, total: 0, totalPages: 0 },
    });

    const others = await getAs(stranger, '/api/rides/me');
    expect(others.body.data.map((ride: { id: number }) => ride.id)).toEqual([strangers]);
  });

  it.each([
    ['an unknown status', 'status=LOST'],
    ['a lower-case status', 'status=cancelled'],
    ['page 0', 'page=0'],
    ['a non-numeric limit', 'limit=ten'],
  ])('refuses %s with 400', async (_name, query) => {
    const rider = await insertRider(t);
    expectError(await getAs(rider, `/api/rides/me?${query}`), 400);
  });

  it("shows a driver the rides they drove, and not other drivers' rides", async () => {
    const driver = await insertDriver(t, { at: SF });
    const otherDriver = await insertDriver(t, { at: SF });
    const first = await createRide(t, await insertRider(t));
    await driveThrough(driver, first);
    const second = await createRide(t, await insertRider(t));
    expect((await rideAction(t, driver, second, 'accept')).status).toBe(200);
    const notDriven = await createRide(t, await insertRider(t));
    expect((await rideAction(t, otherDriver, notDriven, 'accept')).status).toBe(200);

    const history = await getAs(driver, '/api/rides/me');
    expect(history.status).toBe(200);
    expect(history.body.data.map((ride: { id: number }) => ride.id)).toEqual([second, first]);
    expect(history.body.meta).toMatchObject({ total: 2 });
    expect(
      history.body.data.every((ride: { driverId: number }) => ride.driverId === driver.id),
    ).toBe(true);
    const completed = await getAs(driver, '/api/rides/me?status=COMPLETED');
    expect(completed.body.data.map((ride: { id: number }) => ride.id)).toEqual([first]);

    const theirs = await getAs(otherDriver, '/api/rides/me');
    expect(theirs.body.data.map((ride: { id: number }) => ride.id)).toEqual([notDriven]);
  });
});

describe('GET /api/rides/me/active', () => {
  it("is null without a ride, the rider's ride while active, and null again once it ends", async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    expect((await getAs(rider, '/api/rides/me/active')).body).toEqual({
      success: true,
      ride: null,
    });
    expect((await getAs(driver, '/api/rides/me/active')).body).toEqual({
      success: true,
      ride: null,
    });

    const rideId = await createRide(t, rider);
    const requested = await getAs(rider, '/api/rides/me/active');
    expect(requested.body).toMatchObject({
      success: true,
      ride: { id: rideId, status: 'REQUESTED' },
    });
    // A REQUESTED ride is nobody's assignment yet.
    expect((await getAs(driver, '/api/rides/me/active')).body.ride).toBeNull();

    expect((await rideAction(t, driver, rideId, 'accept')).status).toBe(200);
    const assigned = await getAs(driver, '/api/rides/me/active');
    expect(assigned.body).toMatchObject({
      success: true,
      ride: { id: rideId, status: 'ACCEPTED', driverId: driver.id, riderId: rider.id },
    });
    expect((await getAs(rider, '/api/rides/me/active')).body.ride).toMatchObject({
      id: rideId,
      status: 'ACCEPTED',
    });

    for (const action of ['arriving', 'start', 'complete']) {
      expect((await rideAction(t, driver, rideId, action)).status).toBe(200);
    }
    expect((await getAs(rider, '/api/rides/me/active')).body.ride).toBeNull();
    expect((await getAs(driver, '/api/rides/me/active')).body.ride).toBeNull();
  });
});

describe('GET /api/rides/:id', () => {
  it('shows the ride to its rider, its driver and an admin, and 404 to everyone else', async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    const otherRider = await insertRider(t);
    const otherDriver = await insertDriver(t, { at: SF });
    const rideId = await createRide(t, rider);

    // Before acceptance no driver may see it through this route.
    const early = await getRide(driver, rideId);
    expectError(early, 404);

    expect((await rideAction(t, driver, rideId, 'accept')).status).toBe(200);
    for (const viewer of [rider, driver]) {
      const response = await getRide(viewer, rideId);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        success: true,
        ride: { id: rideId, riderId: rider.id, driverId: driver.id, status: 'ACCEPTED' },
      });
      expectNoQuotedDecimals(response.text);
    }
    const asAdmin = await t.admin.get(`/api/rides/${rideId}`);
    expect(asAdmin.status).toBe(200);
    expect(asAdmin.body.ride.id).toBe(rideId);

    const [lastId] = await t.sequelize.query<{ id: number }>(
      `SELECT max(id)::int AS id FROM "RideRequests"`,
      { type: QueryTypes.SELECT },
    );
    const missingId = lastId.id + 1000;
    const byOtherRider = await getRide(otherRider, rideId);
    const byOtherDriver = await getRide(otherDriver, rideId);
    const missing = await getRide(otherRider, missingId);
    for (const response of [byOtherRider, byOtherDriver]) {
      expect(response.status).toBe(404);
      expect(response.body).toEqual({
        success: false,
        statusCode: 404,
        error: 'Not Found',
        code: 'NOT_FOUND',
        message: `Ride ${rideId} not found`,
        requestId: response.headers['x-request-id'],
      });
    }
    // A ride that does not exist looks exactly like one you may not see.
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      ...byOtherRider.body,
      message: byOtherRider.body.message.replace(String(rideId), String(missingId)),
      requestId: missing.headers['x-request-id'],
    });
    expect((await t.admin.get(`/api/rides/${missingId}`)).status).toBe(404);
  });

  it('refuses a malformed id with 400 and anonymous callers with 401', async () => {
    const rider = await insertRider(t);
    expectError(await getRide(rider, 'abc'), 400);
    expectError(await getRide(rider, '0'), 400);
    const rideId = await createRide(t, rider);
    expectError(await t.http.get(`/api/rides/${rideId}`), 401);
  });
});

// --- The driver as the rider sees them --------------------------------------------------------------

describe("the rider's view of the driver", () => {
  it('shows vehicle, live location while under way, and a rating that follows every new rating', async () => {
    const driver = await insertDriver(t, { at: SF });
    const profile = await getAs(driver, '/api/drivers/me');
    expect(profile.status).toBe(200);
    expect(profile.body.rating).toEqual({ average: null, count: 0 });

    // A first ride: accepted, the driver reports a location, the rider sees the driver.
    const firstRider = await insertRider(t);
    const first = await createRide(t, firstRider);
    expect((await rideAction(t, driver, first, 'accept')).status).toBe(200);
    const reported = await putLocation(t, driver, { latitude: 37.7755, longitude: -122.4185 });
    expect(reported.status).toBe(200);
    const view = await getRide(firstRider, first);
    expect(view.status).toBe(200);
    expect(view.body.ride.driver).toEqual({
      id: driver.id,
      username: driver.username,
      make: profile.body.make,
      model: profile.body.model,
      licensePlate: profile.body.licensePlate,
      location: { latitude: 37.7755, longitude: -122.4185, updatedAt: reported.body.updatedAt },
      rating: { average: null, count: 0 },
    });
    expect(profile.body).toMatchObject({ make: 'Toyota', model: 'Prius' });
    expect(typeof profile.body.licensePlate).toBe('string');

    for (const action of ['arriving', 'start', 'complete']) {
      expect((await rideAction(t, driver, first, action)).status).toBe(200);
    }
    const done = await getRide(firstRider, first);
    expect(done.body.ride).toMatchObject({ status: 'COMPLETED', driverId: driver.id });
    expect(done.body.ride.finalFare).toBe(done.body.ride.estimatedFare);
    // The driver is still somewhere, but the rider of a finished ride no longer sees where.
    expect(done.body.ride.driver.location).toBeNull();
    expect((await rideAction(t, firstRider, first, 'rate', { rating: 4 })).status).toBe(200);

    const secondRider = await insertRider(t);
    const second = await createRide(t, secondRider);
    await driveThrough(driver, second);
    expect((await rideAction(t, secondRider, second, 'rate', { rating: 5 })).status).toBe(200);

    const thirdRider = await insertRider(t);
    const third = await createRide(t, thirdRider);
    expect((await rideAction(t, driver, third, 'accept')).status).toBe(200);
    const thirdView = await getRide(thirdRider, third);
    expect(thirdView.body.ride.driver.rating).toEqual({ average: 4.5, count: 2 });
    expect(thirdView.body.ride.driver.location).toEqual({
      latitude: 37.7755,
      longitude: -122.4185,
      updatedAt: reported.body.updatedAt,
    });
    expect((await getAs(driver, '/api/drivers/me')).body.rating).toEqual({
      average: 4.5,
      count: 2,
    });
    // The first rider's completed ride shows the driver's current rating, still without a location.
    const firstAgain = await getRide(firstRider, first);
    expect(firstAgain.body.ride.driver).toMatchObject({
      rating: { average: 4.5, count: 2 },
      location: null,
    });
  });

  it('counts a new rating in the ride the rating response returns', async () => {
    const driver = await insertDriver(t, { at: SF });
    const firstRider = await insertRider(t);
    const first = await createRide(t, firstRider);
    await driveThrough(driver, first);
    const firstRating = await rideAction(t, firstRider, first, 'rate', { rating: 2 });
    expect(firstRating.status).toBe(200);
    expect(firstRating.body.ride.rating).toBe(2);
    expect(firstRating.body.ride.driver.rating).toEqual({ average: 2, count: 1 });

    const secondRider = await insertRider(t);
    const second = await createRide(t, secondRider);
    await driveThrough(driver, second);
    const secondRating = await rideAction(t, secondRider, second, 'rate', { rating: 5 });
    expect(secondRating.status).toBe(200);
    // What GET shows right after, and what the rate response itself should show: (2 + 5) / 2.
    expect((await getRide(secondRider, second)).body.ride.driver.rating).toEqual({
      average: 3.5,
      count: 2,
    });
    expect(secondRating.body.ride.driver.rating).toEqual({ average: 3.5, count: 2 });
  });
});

// --- Admins --------------------------------------------------------------------------------------

describe('admin actions on rides', () => {
  it("lets an admin cancel any rider's ride, requested or accepted (cancelledBy 'admin')", async () => {
    const rider = await insertRider(t);
    const requested = await createRide(t, rider);
    const cancelled = await t.admin
      .post(`/api/rides/${requested}/cancel`)
      .send({ reason: 'Fraud check' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.ride).toMatchObject({
      id: requested,
      status: 'CANCELLED',
      cancelledBy: 'admin',
      cancelReason: 'Fraud check',
    });
    expect((await getRide(rider, requested)).body.ride).toMatchObject({
      status: 'CANCELLED',
      cancelledBy: 'admin',
    });

    const driver = await insertDriver(t, { at: SF });
    const accepted = await createRide(t, rider);
    expect((await rideAction(t, driver, accepted, 'accept')).status).toBe(200);
    const second = await t.admin.post(`/api/rides/${accepted}/cancel`).send({});
    expect(second.status).toBe(200);
    expect(second.body.ride).toMatchObject({ status: 'CANCELLED', cancelledBy: 'admin' });
    expect((await getAs(driver, '/api/rides/me/active')).body.ride).toBeNull();
    expect(await activeRidesOf(rider)).toBe(0);
  });

  it('lists anyone’s rides for an admin, newest first, by rider, driver and status', async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    const first = await createRide(t, rider);
    await driveThrough(driver, first);
    const second = await createRide(t, rider);

    const byRider = await t.admin.get(`/api/rides?riderId=${rider.id}`);
    expect(byRider.status).toBe(200);
    expect(byRider.body.data.map((ride: { id: number }) => ride.id)).toEqual([second, first]);
    expect(byRider.body.meta).toEqual({ page: 1, limit: 20, total: 2, totalPages: 1 });

    const byDriver = await t.admin.get(`/api/rides?driverId=${driver.id}`);
    expect(byDriver.body.data.map((ride: { id: number }) => ride.id)).toEqual([first]);

    const requested = await t.admin.get(`/api/rides?riderId=${rider.id}&status=REQUESTED`);
    expect(requested.body.data).toEqual([
      expect.objectContaining({ id: second, status: 'REQUESTED' }),
    ]);

    const everyone = await t.admin.get('/api/rides?limit=100');
    expect(everyone.body.meta.total).toBeGreaterThanOrEqual(2);
    expect(everyone.body.data.map((ride: { id: number }) => ride.id)).toEqual(
      expect.arrayContaining([first, second]),
    );
  });

  it.each([['riderId=abc'], ['driverId=0'], ['riderId=99999999999'], ['status=LOST']])(
    'refuses GET /api/rides?%s with 400',
    async (query) => {
      expectError(await t.admin.get(`/api/rides?${query}`), 400);
    },
  );

  it('keeps the list of all rides from riders and drivers (403)', async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t);
    for (const account of [rider, driver]) {
      expectError(await getAs(account, '/api/rides'), 403);
    }
  });

  it('refuses to delete a user who has rides (409), keeping the user and the rides', async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    const rideId = await createRide(t, rider);
    await driveThrough(driver, rideId);

    for (const user of [rider, driver]) {
      const response = await t.admin.delete(`/api/users/${user.id}`);
      expectError(response, 409);
      expect((await t.admin.get(`/api/users/${user.id}`)).status).toBe(200);
    }
    expect(await storedRide(t, rideId)).toMatchObject({
      id: rideId,
      riderId: rider.id,
      driverId: driver.id,
      status: 'COMPLETED',
    });
    expect((await getRide(rider, rideId)).status).toBe(200);

    // A user without rides can be deleted, so the 409 above is about the rides.
    const newcomer = await insertRider(t);
    expect((await t.admin.delete(`/api/users/${newcomer.id}`)).status).toBe(204);
    expect((await t.admin.get(`/api/users/${newcomer.id}`)).status).toBe(404);
  });
});

describe('text a person typed', () => {
  it.each([
    ['a NUL in pickupAddress', { pickupAddress: 'Market\u0000St' }],
    ['an escape character in destinationAddress', { destinationAddress: 'Broadway\u001b[31m' }],
  ])('refuses %s, and creates no ride', async (_, overrides) => {
    const rider = await insertRider(t);
    const response = await requestRide(t, rider, overrides);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/must not contain control characters/);
    const [{ count }] = await t.sequelize.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM "RideRequests" WHERE "riderId" = :riderId`,
      { replacements: { riderId: rider.id }, type: QueryTypes.SELECT },
    );
    expect(count).toBe(0);
  });

  it('keeps line breaks in a rating comment but refuses a NUL', async () => {
    const rider = await insertRider(t);
    const driver = await insertDriver(t, { at: SF });
    const rideId = await createRide(t, rider);
    for (const action of ['accept', 'arriving', 'start', 'complete']) {
      await rideAction(t, driver, rideId, action).expect(200);
    }
    const refused = await rideAction(t, rider, rideId, 'rate', { rating: 5, comment: 'a\u0000b' });
    expect(refused.status).toBe(400);
    const rated = await rideAction(t, rider, rideId, 'rate', { rating: 5, comment: 'Great\nride' });
    expect(rated.status).toBe(200);
    expect(rated.body.ride.ratingComment).toBe('Great\nride');
  });
});
