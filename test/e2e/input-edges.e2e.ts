/** Edges of the input rules: a quote from a ride's own body, built-in key names, fares that overflow. */
import type { Response } from 'supertest';
import { bearer } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { insertRider, rideBody } from '../support/rides';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(() => t.close());

interface Quote {
  serviceType: { id: number; name: string };
  fare: number;
}

/** The one error shape, with a detail on `field` whose message matches `message`. */
function expectRefusal(
  response: Response,
  status: number,
  field?: string,
  message: string | RegExp = /.+/,
): void {
  expect(response.status).toBe(status);
  expect(response.body).toMatchObject({ success: false, statusCode: status });
  if (field) {
    expect(response.body.details).toEqual(
      expect.arrayContaining([{ field, message: expect.stringMatching(message) }]),
    );
  }
}

/** Read as a field of the request, not refused as an unknown one. */
const ANY_BUT_UNKNOWN = /^(?!property .* should not exist)/;

async function activeTypeIds(): Promise<number[]> {
  const response = await t.http.get('/api/service-types').expect(200);
  return (response.body as { id: number }[]).map((type) => type.id);
}

describe('POST /api/rides/estimate with the body of POST /api/rides', () => {
  const estimate = async (body: object) =>
    t.http
      .post('/api/rides/estimate')
      .set('Authorization', bearer(await insertRider(t)))
      .send(body);

  it('quotes every active type, in the usual order, for a ride body without a chosen type', async () => {
    const response = await estimate(rideBody());

    expect(response.status).toBe(200);
    const ids = (response.body.quotes as Quote[]).map((quote) => quote.serviceType.id);
    expect(ids).toEqual(await activeTypeIds());
  });

  it('puts the quote of serviceTypeId first, then every other active type once', async () => {
    const others = (await activeTypeIds()).filter((id) => id !== 3);

    const response = await estimate(rideBody({ serviceTypeId: 3 }));

    expect(response.status).toBe(200);
    const ids = (response.body.quotes as Quote[]).map((quote) => quote.serviceType.id);
    expect(ids).toEqual([3, ...others]);
  });

  it('puts the quote of the original server’s serviceType name first', async () => {
    const response = await estimate(rideBody({ serviceType: 'SWIFTRIDE_SUV' }));

    expect(response.status).toBe(200);
    expect((response.body.quotes as Quote[])[0].serviceType.name).toBe('SwiftRide SUV');
  });

  it('quotes the fare the ride then stores', async () => {
    const rider = await insertRider(t);
    const body = rideBody({ serviceTypeId: 2 });
    const quote = await t.http
      .post('/api/rides/estimate')
      .set('Authorization', bearer(rider))
      .send(body)
      .expect(200);

    const ride = await t.http
      .post('/api/rides')
      .set('Authorization', bearer(rider))
      .send(body)
      .expect(201);

    expect(ride.body.ride.estimatedFare).toBe((quote.body.quotes as Quote[])[0].fare);
  });

  it('refuses an unknown serviceTypeId with 400 naming it', async () => {
    expectRefusal(
      await estimate(rideBody({ serviceTypeId: 999_999 })),
      400,
      'serviceTypeId',
      'serviceTypeId 999999 is not an active service type',
    );
  });

  it('refuses an inactive service type with 400 naming it', async () => {
    const created = await t.admin
      .post('/api/service-types')
      .send({
        name: `Retired ${process.pid}`,
        baseFare: 1,
        perMileRate: 1,
        perMinuteRate: 0.1,
        maxPassengers: 4,
        isActive: false,
      })
      .expect(201);

    const response = await estimate(rideBody({ serviceTypeId: created.body.id }));

    expectRefusal(response, 400, 'serviceTypeId', /is not an active service type/);
  });

  it('refuses an unknown serviceType name with 400 naming it', async () => {
    expectRefusal(
      await estimate(rideBody({ serviceType: 'SWIFTRIDE_JET' })),
      400,
      'serviceType',
      ANY_BUT_UNKNOWN,
    );
  });

  it('applies the address rules of a ride request to the addresses it is given', async () => {
    expectRefusal(
      await estimate(rideBody({ pickupAddress: '   ' })),
      400,
      'pickupAddress',
      ANY_BUT_UNKNOWN,
    );
    expectRefusal(
      await estimate(rideBody({ destinationAddress: 'x'.repeat(256) })),
      400,
      'destinationAddress',
      ANY_BUT_UNKNOWN,
    );
  });
});

describe('unknown body keys named like built-ins', () => {
  const BUILT_IN_NAMES = ['prototype', 'constructor', 'toString', 'valueOf', 'hasOwnProperty'];

  /** A JSON body with `key` added by hand, so no serializer drops or rewrites it. */
  const withKey = (body: object, key: string, value: string) =>
    `${JSON.stringify(body).slice(0, -1)},"${key}":${value}}`;

  it.each(BUILT_IN_NAMES)('refuses "%s" in a ride request and books nothing', async (key) => {
    const rider = await insertRider(t);

    const response = await t.http
      .post('/api/rides')
      .set('Authorization', bearer(rider))
      .set('Content-Type', 'application/json')
      .send(withKey(rideBody(), key, '1'));

    expectRefusal(response, 400, key, `property ${key} should not exist`);
    const active = await t.http
      .get('/api/rides/me/active')
      .set('Authorization', bearer(rider))
      .expect(200);
    expect(active.body.ride).toBeNull();
  });

  it.each(BUILT_IN_NAMES)(
    'refuses "%s" in a service-type change and changes nothing',
    async (key) => {
      const before = (await t.http.get('/api/service-types/1').expect(200)).body;

      const response = await t.admin
        .patch('/api/service-types/1')
        .set('Content-Type', 'application/json')
        .send(withKey({ baseFare: 9.99 }, key, '{}'));

      expectRefusal(response, 400, key, `property ${key} should not exist`);
      expect((await t.http.get('/api/service-types/1').expect(200)).body).toEqual(before);
    },
  );

  it('names every such key along with the other problems of the body', async () => {
    const response = await t.http
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send('{"username":"someone","toString":"x","valueOf":2}');

    expectRefusal(response, 400, 'toString', 'property toString should not exist');
    expectRefusal(response, 400, 'valueOf', 'property valueOf should not exist');
    expectRefusal(response, 400, 'password');
  });

  it.each([
    ['__proto__', '{"name":"Polluted","__proto__":{"isActive":false}}'],
    ['constructor', '{"name":"Polluted","constructor":{"prototype":{"isActive":false}}}'],
    ['rides.0.__proto__', '{"name":"Polluted","rides":[{"__proto__":{"isActive":false}}]}'],
  ])('refuses %s (prototype pollution) by name and changes nothing', async (field, body) => {
    const response = await t.admin
      .patch('/api/service-types/1')
      .set('Content-Type', 'application/json')
      .send(body);

    const key = field.split('.').pop()!;
    expectRefusal(response, 400, field, `property ${key} should not exist`);
    const after = (await t.http.get('/api/service-types/1').expect(200)).body;
    expect(after).toMatchObject({ name: 'SwiftRide X', isActive: true });
  });

  it.each(['toString', '__proto__', 'constructor'])(
    'refuses %s in a query string too',
    async (key) => {
      const response = await t.admin.get(`/api/users?${key}=1`);

      expectRefusal(response, 400, key, `property ${key} should not exist`);
    },
  );
});

describe('service-type rates and the largest fare a ride can store', () => {
  const MAX_FARE = 99_999_999.99;
  /** The farthest apart two valid coordinates are (antipodes), under the default road model. */
  const ANTIPODES = {
    pickupLatitude: 0,
    pickupLongitude: 0,
    destinationLatitude: 0,
    destinationLongitude: 180,
  };
  /** π × 6 378 168 m in miles × RIDE_ROAD_FACTOR 1.3, to the hundredth (README's formula). */
  const LONGEST_MILES = Math.round(((Math.PI * 6_378_168) / 1609.344) * 1.3 * 100) / 100;

  let counter = 0;
  const typeBody = (rates: object) => {
    counter += 1;
    return {
      name: `Edge ${process.pid}-${counter}`,
      baseFare: 1,
      perMileRate: 1,
      perMinuteRate: 0,
      maxPassengers: 4,
      ...rates,
    };
  };

  /** The largest base fare for 1000 per mile and nothing per minute: what is left of the maximum. */
  const tightBaseFare = () => Math.round((MAX_FARE - 1000 * LONGEST_MILES) * 100) / 100;

  it('refuses rates whose longest trip would not fit, naming the rate, and creates nothing', async () => {
    const body = typeBody({ perMileRate: 99_999_999 });

    const response = await t.admin.post('/api/service-types').send(body);

    expectRefusal(response, 400, 'perMileRate', /perMileRate can be at most \d+(\.\d+)?/);
    const names = (await t.http.get('/api/service-types').expect(200)).body.map(
      (type: { name: string }) => type.name,
    );
    expect(names).not.toContain(body.name);
  });

  it('accepts rates whose longest trip costs exactly the maximum, and a rider books that trip', async () => {
    const created = await t.admin
      .post('/api/service-types')
      .send(typeBody({ perMileRate: 1000, baseFare: tightBaseFare() }))
      .expect(201);

    const ride = await t.http
      .post('/api/rides')
      .set('Authorization', bearer(await insertRider(t)))
      .send(rideBody({ ...ANTIPODES, serviceTypeId: created.body.id }));

    expect(ride.status).toBe(201);
    expect(ride.body.ride.estimatedDistanceMiles).toBe(LONGEST_MILES);
    expect(ride.body.ride.estimatedFare).toBe(MAX_FARE);
  });

  it('refuses one cent more on the base fare', async () => {
    const response = await t.admin
      .post('/api/service-types')
      .send(typeBody({ perMileRate: 1000, baseFare: tightBaseFare() + 0.01 }));

    expectRefusal(
      response,
      400,
      'baseFare',
      `baseFare can be at most ${tightBaseFare()} with the other rates as they are`,
    );
  });

  it('checks a change against the stored rates and names the changed one, changing nothing', async () => {
    const created = await t.admin
      .post('/api/service-types')
      .send(typeBody({ perMileRate: 1000 }))
      .expect(201);

    const response = await t.admin
      .patch(`/api/service-types/${created.body.id}`)
      .send({ name: `${created.body.name} renamed`, baseFare: tightBaseFare() + 1 });

    expectRefusal(response, 400, 'baseFare');
    expect(response.body.details).toHaveLength(1);
    const after = await t.http.get(`/api/service-types/${created.body.id}`).expect(200);
    expect(after.body).toEqual(created.body);
  });

  it('lets simultaneous changes of two rates through only as far as they fit together', async () => {
    const created = await t.admin
      .post('/api/service-types')
      .send(typeBody({ perMileRate: 0, baseFare: 0 }))
      .expect(201);
    const path = `/api/service-types/${created.body.id}`;

    // Each fits alone (about 2/3 of the maximum); together they do not.
    const [miles, base] = await Promise.all([
      t.admin.patch(path).send({ perMileRate: 4000 }),
      t.admin.patch(path).send({ baseFare: 66_000_000 }),
    ]);

    expect([miles.status, base.status].sort()).toEqual([200, 400]);
    const after = (await t.http.get(path).expect(200)).body;
    expect(after.perMileRate === 4000 || after.baseFare === 66_000_000).toBe(true);
    expect(after.perMileRate * LONGEST_MILES + after.baseFare).toBeLessThanOrEqual(MAX_FARE);
  });

  it('answers 409 on the service type, not 400 on the request, when stored rates cannot be stored as a fare', async () => {
    const created = await t.admin
      .post('/api/service-types')
      .send(typeBody({ perMileRate: 1 }))
      .expect(201);
    // Rates from before a change of RIDE_ROAD_FACTOR, or written around the API.
    await t.sequelize.query(`UPDATE "ServiceTypes" SET "perMileRate" = 99999999 WHERE id = :id`, {
      replacements: { id: created.body.id },
    });
    const rider = await insertRider(t);

    const response = await t.http
      .post('/api/rides')
      .set('Authorization', bearer(rider))
      .send(rideBody({ serviceTypeId: created.body.id }));

    expectRefusal(response, 409);
    expect(response.body.message).toContain('misconfigured');
    expect(response.body.message).toContain(created.body.name);
    const active = await t.http
      .get('/api/rides/me/active')
      .set('Authorization', bearer(rider))
      .expect(200);
    expect(active.body.ride).toBeNull();
  });
});
