import type { Response } from 'supertest';
import { REFERENCE_SERVICE_TYPES } from '../../src/common/built-ins';
import {
  type Account,
  bearer,
  createDriver,
  login,
  PASSWORD,
  uniquePlate,
  uniqueUsername,
} from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';

/** Black-box tests of /api/drivers/me: going online and offline, the profile, the vehicle. */

const DRIVER = 2;

/** The seeded reference types as the API shows them. */
const [SWIFTRIDE_X, , SWIFTRIDE_BLACK] = REFERENCE_SERVICE_TYPES.map(
  ({ legacyName: _legacyName, ...type }) => ({ ...type, isActive: true }),
);

interface ProfileBody {
  id: number;
  userId: number;
  make: string;
  model: string;
  licensePlate: string;
  isOnline: boolean;
  serviceTypeId: number;
  serviceType: typeof SWIFTRIDE_X;
}

interface RegisteredDriver extends Account {
  licensePlate: string;
}

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

/** A driver signed up through the API with a known plate (the factory picks its own). */
async function registerDriver(licensePlate = uniquePlate()): Promise<RegisteredDriver> {
  const username = uniqueUsername('driver');
  await t.http
    .post('/api/auth/register')
    .send({
      username,
      password: PASSWORD,
      roleId: DRIVER,
      make: 'Toyota',
      model: 'Prius',
      licensePlate,
    })
    .expect(201);
  return { ...(await login(t, username)), licensePlate };
}

async function profileOf(driver: Account): Promise<ProfileBody> {
  const response = await t.http.get('/api/drivers/me').set('Authorization', bearer(driver));
  expect(response.status).toBe(200);
  return response.body as ProfileBody;
}

/** The online flag as the client learns it: from the login response. */
async function isOnlineAtLogin(driver: Account): Promise<boolean | null> {
  const response = await t.http
    .post('/api/auth/login')
    .send({ username: driver.username, password: driver.password })
    .expect(200);
  return response.body.isOnline as boolean | null;
}

function setStatus(driver: Account, body: unknown) {
  return t.http
    .patch('/api/drivers/me/update-status')
    .set('Authorization', bearer(driver))
    .send(body as object);
}

function updateVehicle(driver: Account, body: unknown) {
  return t.http
    .patch('/api/drivers/me')
    .set('Authorization', bearer(driver))
    .send(body as object);
}

async function createServiceType(fields: { isActive?: boolean } = {}): Promise<number> {
  const response = await t.admin.post('/api/service-types').send({
    name: uniqueUsername('Class'),
    baseFare: 3,
    perMileRate: 1.5,
    perMinuteRate: 0.3,
    maxPassengers: 4,
    ...fields,
  });
  expect(response.status).toBe(201);
  return response.body.id as number;
}

function expectError(response: Response, status: number, field?: string): void {
  expect({ status: response.status, body: response.body }).toMatchObject({
    status,
    body: { success: false, statusCode: status, message: expect.any(String) },
  });
  if (field === undefined) return;
  expect(response.body.details).toEqual(
    expect.arrayContaining([expect.objectContaining({ field })]),
  );
}

describe('PATCH /api/drivers/me/update-status', () => {
  it('puts a driver online and back offline', async () => {
    const driver = await createDriver(t);

    const online = await setStatus(driver, { isOnline: true });
    expect(online.status).toBe(200);
    expect(online.body).toEqual({ success: true, message: expect.any(String) });
    expect((await profileOf(driver)).isOnline).toBe(true);
    expect(await isOnlineAtLogin(driver)).toBe(true);

    const offline = await setStatus(driver, { isOnline: false });
    expect(offline.status).toBe(200);
    expect(offline.body).toEqual({ success: true, message: expect.any(String) });
    expect((await profileOf(driver)).isOnline).toBe(false);
    expect(await isOnlineAtLogin(driver)).toBe(false);
  });

  it('keeps a driver online who says so twice', async () => {
    const driver = await createDriver(t, { online: true });

    expect((await setStatus(driver, { isOnline: true })).status).toBe(200);
    expect((await profileOf(driver)).isOnline).toBe(true);
  });

  it.each([['true'], [1], [0], [null], ['yes'], [{}], [[true]]])(
    'refuses %j as a status and leaves the driver as they were',
    async (value) => {
      const driver = await createDriver(t, { online: true });

      expectError(await setStatus(driver, { isOnline: value }), 400, 'isOnline');
      expect((await profileOf(driver)).isOnline).toBe(true);
    },
  );

  it('refuses a request without isOnline', async () => {
    const driver = await createDriver(t);

    expectError(await setStatus(driver, {}), 400, 'isOnline');
    expect((await profileOf(driver)).isOnline).toBe(false);
  });

  it('refuses fields other than isOnline', async () => {
    const driver = await createDriver(t);

    expectError(
      await setStatus(driver, { isOnline: true, serviceTypeId: 3 }),
      400,
      'serviceTypeId',
    );
    const profile = await profileOf(driver);
    expect(profile.isOnline).toBe(false);
    expect(profile.serviceTypeId).toBe(1);
  });
});

/** The standing of a driver who has never been offered a ride. */
const NO_OFFERS_YET = {
  windowDays: 30,
  offers: 0,
  accepted: 0,
  declined: 0,
  expired: 0,
  acceptanceRate: null,
  releases: 0,
  releaseRate: null,
};

describe('GET /api/drivers/me', () => {
  it('shows the vehicle, the online flag and the service type with fares as JSON numbers', async () => {
    const driver = await registerDriver();

    const response = await t.http.get('/api/drivers/me').set('Authorization', bearer(driver));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: expect.any(Number),
      userId: driver.id,
      make: 'Toyota',
      model: 'Prius',
      licensePlate: driver.licensePlate,
      isOnline: false,
      serviceTypeId: 1,
      serviceType: SWIFTRIDE_X,
      location: null,
      rating: { average: null, count: 0 },
      standing: NO_OFFERS_YET,
    });
    expect(response.text).toContain('"baseFare":2.5');
  });

  it('shows the service type the driver signed up for', async () => {
    const driver = await createDriver(t, { serviceTypeId: 3 });

    const profile = await profileOf(driver);
    expect(profile.serviceTypeId).toBe(3);
    expect(profile.serviceType).toEqual(SWIFTRIDE_BLACK);
  });
});

describe('PATCH /api/drivers/me', () => {
  it('stores make and model trimmed and the licence plate upper-cased', async () => {
    const driver = await registerDriver();
    const plate = uniquePlate();

    const response = await updateVehicle(driver, {
      make: '  Honda ',
      model: '\tCivic  ',
      licensePlate: ` ${plate.toLowerCase()} `,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: expect.any(Number),
      userId: driver.id,
      make: 'Honda',
      model: 'Civic',
      licensePlate: plate.toUpperCase(),
      isOnline: false,
      serviceTypeId: 1,
      serviceType: SWIFTRIDE_X,
      location: null,
      rating: { average: null, count: 0 },
      standing: NO_OFFERS_YET,
    });
    expect(await profileOf(driver)).toEqual(response.body);
  });

  it('changes only the fields it is sent', async () => {
    const driver = await registerDriver();

    const response = await updateVehicle(driver, { model: 'Corolla' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      make: 'Toyota',
      model: 'Corolla',
      licensePlate: driver.licensePlate,
    });
  });

  it('answers an empty change with the profile as it was', async () => {
    const driver = await registerDriver();
    const before = await profileOf(driver);

    const response = await updateVehicle(driver, {});
    expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: before });
  });

  it('moves the driver to another active service type', async () => {
    const driver = await createDriver(t);

    const response = await updateVehicle(driver, { serviceTypeId: 3 });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ serviceTypeId: 3, serviceType: SWIFTRIDE_BLACK });
    expect((await profileOf(driver)).serviceType).toEqual(SWIFTRIDE_BLACK);
  });

  it('lets a driver send their own plate again, in any letter case', async () => {
    const driver = await registerDriver();

    const response = await updateVehicle(driver, {
      licensePlate: driver.licensePlate.toLowerCase(),
    });
    expect(response.status).toBe(200);
    expect(response.body.licensePlate).toBe(driver.licensePlate);
  });

  it('refuses a licence plate another driver has, in any letter case', async () => {
    const other = await registerDriver();
    const driver = await registerDriver();

    for (const plate of [other.licensePlate, other.licensePlate.toLowerCase()]) {
      expectError(await updateVehicle(driver, { licensePlate: plate }), 409, 'licensePlate');
    }
    expect((await profileOf(driver)).licensePlate).toBe(driver.licensePlate);
    expect((await profileOf(other)).licensePlate).toBe(other.licensePlate);
  });

  it('refuses an inactive service type and keeps the old one', async () => {
    const inactive = await createServiceType({ isActive: false });
    const driver = await createDriver(t);

    expectError(
      await updateVehicle(driver, { make: 'Honda', serviceTypeId: inactive }),
      400,
      'serviceTypeId',
    );
    const profile = await profileOf(driver);
    expect(profile.serviceTypeId).toBe(1);
    expect(profile.make).toBe('Toyota');
  });

  it('refuses a service type that does not exist', async () => {
    const driver = await createDriver(t);

    expectError(await updateVehicle(driver, { serviceTypeId: 987654 }), 400, 'serviceTypeId');
    expect((await profileOf(driver)).serviceTypeId).toBe(1);
  });

  it.each([
    [{ isOnline: true }, 'isOnline'],
    [{ userId: 1 }, 'userId'],
    [{ colour: 'red' }, 'colour'],
  ])('refuses the unknown field in %j', async (body, field) => {
    const driver = await createDriver(t);

    expectError(await updateVehicle(driver, { make: 'Honda', ...body }), 400, field);
    const profile = await profileOf(driver);
    expect(profile.make).toBe('Toyota');
    expect(profile.isOnline).toBe(false);
  });

  it.each([
    ['a blank make', { make: '   ' }, 'make'],
    ['a model of 65 characters', { model: 'x'.repeat(65) }, 'model'],
    ['a null make', { make: null }, 'make'],
    ['a plate with an underscore', { licensePlate: 'AB_123' }, 'licensePlate'],
    ['a plate of one character', { licensePlate: 'A' }, 'licensePlate'],
    ['a service type id as a string', { serviceTypeId: '3' }, 'serviceTypeId'],
    ['service type id 0', { serviceTypeId: 0 }, 'serviceTypeId'],
  ])('refuses %s and changes nothing', async (_case, body, field) => {
    const driver = await registerDriver();

    expectError(await updateVehicle(driver, body), 400, field);
    expect(await profileOf(driver)).toMatchObject({
      make: 'Toyota',
      model: 'Prius',
      licensePlate: driver.licensePlate,
      serviceTypeId: 1,
    });
  });
});

describe('a driver account without a driver profile', () => {
  async function createDriverWithoutProfile(): Promise<Account> {
    const username = uniqueUsername('bare');
    await t.admin
      .post('/api/users')
      .send({ username, password: PASSWORD, roleId: DRIVER })
      .expect(201);
    return login(t, username);
  }

  it('is told its driver profile is not found', async () => {
    const driver = await createDriverWithoutProfile();
    expect(driver.roleId).toBe(DRIVER);

    const response = await t.http.get('/api/drivers/me').set('Authorization', bearer(driver));
    expectError(response, 404);
  });

  it('cannot go online or set a vehicle', async () => {
    const driver = await createDriverWithoutProfile();

    expectError(await setStatus(driver, { isOnline: true }), 404);
    expectError(await updateVehicle(driver, { make: 'Honda' }), 404);
  });
});
