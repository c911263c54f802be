import { bearer, createDriver, createRider } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';

/** Input the API must read as real clients send it, or refuse cleanly (400, nothing changed). */

let t: TestApp;

beforeAll(async () => {
  // A driver without a location accepts a ride here: broadcast dispatch.
  t = await createTestApp({ DISPATCH_MODE: 'broadcast' });
});

afterAll(() => t.close());

const TRIP = {
  pickupLatitude: 37.7749,
  pickupLongitude: -122.4194,
  pickupAddress: '1 Market St',
  destinationLatitude: 37.8044,
  destinationLongitude: -122.2712,
  destinationAddress: '2 Broadway',
};

describe('a JSON content type with no body (the iOS client sends it on every request)', () => {
  it('lets a driver accept a ride with an empty body', async () => {
    const rider = await createRider(t);
    const driver = await createDriver(t, { online: true });
    const ride = await t.http
      .post('/api/rides')
      .set('Authorization', bearer(rider))
      .send(TRIP)
      .expect(201);
    const accepted = await t.http
      .post(`/api/rides/${ride.body.ride.id}/accept`)
      .set('Authorization', bearer(driver))
      .set('Content-Type', 'application/json')
      .send('');
    expect(accepted.status).toBe(200);
    expect(accepted.body.ride).toMatchObject({ status: 'ACCEPTED', driverId: driver.id });
  });

  it('still names the required fields of a route that needs a body', async () => {
    const rider = await createRider(t);
    const response = await t.http
      .post('/api/rides')
      .set('Authorization', bearer(rider))
      .set('Content-Type', 'application/json')
      .send('')
      .expect(400);
    expect(response.body.success).toBe(false);
    expect(response.body.message).toContain('pickupLatitude');
  });
});

describe('ids are plain decimal positive integers', () => {
  it.each(['0x1', '01', '+1', '1.0', '1e0', '%201', '1%20', '2147483648', '0'])(
    'refuses service type id %s with 400',
    async (id) => {
      const response = await t.http.get(`/api/service-types/${id}`).expect(400);
      expect(response.body).toMatchObject({ success: false });
    },
  );

  it('still finds service type 1', async () => {
    await t.http.get('/api/service-types/1').expect(200);
  });

  it('deletes nobody for DELETE /api/users/0<id>', async () => {
    const rider = await createRider(t);
    await t.admin.delete(`/api/users/0${rider.id}`).expect(400);
    await t.admin.get(`/api/users/${rider.id}`).expect(200);
  });

  it.each([
    ['/api/users?page=0x1', 'page'],
    ['/api/users?limit=1e1', 'limit'],
    ['/api/rides?riderId=1.0', 'riderId'],
    ['/api/rides?driverId=%2B1', 'driverId'],
  ])('refuses %s', async (path, field) => {
    const response = await t.admin.get(path).expect(400);
    expect(response.body.message).toContain(field);
  });
});

describe('one rule for every text field: no control characters', () => {
  it('refuses NUL in a vehicle make at registration, and creates no account', async () => {
    const response = await t.http
      .post('/api/auth/register')
      .send({
        username: 'nul-make-driver',
        password: 'correct horse battery',
        roleId: 2,
        make: 'Toy\u0000ota',
        model: 'Prius',
        licensePlate: 'NUL 1',
      })
      .expect(400);
    expect(response.body.message).toContain('make');
    await t.http
      .post('/api/auth/login')
      .send({ username: 'nul-make-driver', password: 'correct horse battery' })
      .expect(401);
  });

  it('refuses NUL in a model change and keeps the old model', async () => {
    const driver = await createDriver(t);
    await t.http
      .patch('/api/drivers/me')
      .set('Authorization', bearer(driver))
      .send({ model: 'Pri\u0000us' })
      .expect(400);
    const profile = await t.http
      .get('/api/drivers/me')
      .set('Authorization', bearer(driver))
      .expect(200);
    expect(profile.body.model).toBe('Prius');
  });

  it('refuses NUL in a service type name', async () => {
    await t.admin
      .post('/api/service-types')
      .send({
        name: 'Green\u0000',
        baseFare: 1,
        perMileRate: 1,
        perMinuteRate: 1,
        maxPassengers: 4,
      })
      .expect(400);
    const types = await t.http.get('/api/service-types').expect(200);
    expect(types.body.map((type: { name: string }) => type.name)).not.toContain('Green\\0');
  });
});
