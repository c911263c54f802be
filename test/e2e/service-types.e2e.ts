import type { Response } from 'supertest';
import { REFERENCE_SERVICE_TYPES } from '../../src/common/built-ins';
import {
  type Account,
  bearer,
  createDriver,
  createRider,
  uniqueUsername,
} from '../support/accounts';
import { countStatements, createTestApp, settleChanges, type TestApp } from '../support/app';

/**
 * Black-box tests of /api/service-types (public reading, admin writing) and of
 * /api/rides/available-service-types (the types a rider can book right now).
 */

interface ServiceTypeBody {
  id: number;
  name: string;
  baseFare: number;
  perMileRate: number;
  perMinuteRate: number;
  maxPassengers: number;
  isActive: boolean;
}

/** The seeded reference types as the API shows them: active, without the legacy name. */
const REFERENCE_TYPES: ServiceTypeBody[] = REFERENCE_SERVICE_TYPES.map(
  ({ legacyName: _legacyName, ...type }) => ({ ...type, isActive: true }),
);

/** The statements the access guard spends on loading the caller: none, it is kept in memory. */
const CALLER_CHECK = 0;

let t: TestApp;
let rider: Account;

beforeAll(async () => {
  t = await createTestApp();
  rider = await createRider(t);
});
afterAll(() => t.close());

function newTypeFields(fields: Partial<Omit<ServiceTypeBody, 'id'>> = {}) {
  return {
    name: uniqueUsername('Class'),
    baseFare: 3.25,
    perMileRate: 1.5,
    perMinuteRate: 0.3,
    maxPassengers: 4,
    ...fields,
  };
}

async function createType(
  fields: Partial<Omit<ServiceTypeBody, 'id'>> = {},
): Promise<ServiceTypeBody> {
  const response = await t.admin.post('/api/service-types').send(newTypeFields(fields));
  expect(response.status).toBe(201);
  return response.body as ServiceTypeBody;
}

async function publicList(): Promise<ServiceTypeBody[]> {
  const response = await t.http.get('/api/service-types');
  expect(response.status).toBe(200);
  return response.body as ServiceTypeBody[];
}

async function availableList(): Promise<ServiceTypeBody[]> {
  const response = await t.http
    .get('/api/rides/available-service-types')
    .set('Authorization', bearer(rider));
  expect(response.status).toBe(200);
  return response.body as ServiceTypeBody[];
}

const idsOf = (types: ServiceTypeBody[]) => types.map((type) => type.id);

/**
 * A clean slate for tests about who is online: every driver of earlier tests goes offline, and
 * the app has heard it (the change goes around the API, so its cache learns of it by NOTIFY, which
 * a request sent straight after could overtake).
 */
async function takeEveryDriverOffline(): Promise<void> {
  await t.sequelize.query(`UPDATE "DriverProfiles" SET "isOnline" = false`);
  await settleChanges(t);
}

/** Online drivers straight into the tables: for tests about volume, not about signing up. */
async function insertOnlineDrivers(serviceTypeId: number, count: number): Promise<void> {
  const stem = uniqueUsername('bulk');
  await t.sequelize.query(
    `WITH created AS (
       INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       SELECT :stem || '.' || n, '!', 2, now(), now() FROM generate_series(1, :count) AS n
       RETURNING id
     )
     INSERT INTO "DriverProfiles"
       ("userId", make, model, "licensePlate", "isOnline", "serviceTypeId", "createdAt", "updatedAt")
     SELECT id, 'Toyota', 'Prius', upper(:stem) || '-' || id, true, :serviceTypeId, now(), now()
     FROM created`,
    { replacements: { stem, count, serviceTypeId } },
  );
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

function expectJsonNumbers(type: ServiceTypeBody): void {
  for (const key of ['id', 'baseFare', 'perMileRate', 'perMinuteRate', 'maxPassengers'] as const) {
    expect(typeof type[key]).toBe('number');
  }
}

describe('GET /api/service-types', () => {
  it('shows anyone the active types only, in id order, with fares as JSON numbers', async () => {
    const inactive = await createType({ isActive: false });
    const active = await createType();

    const response = await t.http.get('/api/service-types');
    expect(response.status).toBe(200);
    const types = response.body as ServiceTypeBody[];
    expect(types.slice(0, 3)).toEqual(REFERENCE_TYPES);
    expect(types).toContainEqual(active);
    expect(idsOf(types)).not.toContain(inactive.id);
    expect(idsOf(types)).toEqual([...idsOf(types)].sort((a, b) => a - b));
    for (const type of types) {
      expect(type.isActive).toBe(true);
      expectJsonNumbers(type);
    }
    expect(response.text).toContain('"baseFare":2.5,');
  });
});

describe('GET /api/service-types/{id}', () => {
  it('shows anyone one type, active or not', async () => {
    const inactive = await createType({ isActive: false });

    const first = await t.http.get('/api/service-types/1');
    expect(first.status).toBe(200);
    expect(first.body).toEqual(REFERENCE_TYPES[0]);

    const hidden = await t.http.get(`/api/service-types/${inactive.id}`);
    expect(hidden.status).toBe(200);
    expect(hidden.body).toEqual(inactive);
  });

  it('answers 404 for a type that does not exist and 400 for an id that is not one', async () => {
    expectError(await t.http.get('/api/service-types/987654'), 404);
    expectError(await t.http.get('/api/service-types/first'), 400, 'id');
  });
});

describe('POST /api/service-types', () => {
  it('creates an active type that the public list then shows', async () => {
    const name = uniqueUsername('Green');

    const response = await t.admin.post('/api/service-types').send({
      name: `  ${name} `,
      baseFare: 3.5,
      perMileRate: 1.25,
      perMinuteRate: 0.05,
      maxPassengers: 5,
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(Number),
      name,
      baseFare: 3.5,
      perMileRate: 1.25,
      perMinuteRate: 0.05,
      maxPassengers: 5,
      isActive: true,
    });
    expect(await publicList()).toContainEqual(response.body);
  });

  it('accepts free rides: fares of 0', async () => {
    const type = await createType({ baseFare: 0, perMileRate: 0, perMinuteRate: 0 });
    expect(type).toMatchObject({ baseFare: 0, perMileRate: 0, perMinuteRate: 0 });
  });

  it.each([
    ['a negative base fare', { baseFare: -1 }, 'baseFare'],
    ['a per-mile rate with three decimals', { perMileRate: 1.005 }, 'perMileRate'],
    ['a base fare written as 1e-7', { baseFare: 1e-7 }, 'baseFare'],
    ['a per-minute rate as a string', { perMinuteRate: '0.30' }, 'perMinuteRate'],
    ['no passengers', { maxPassengers: 0 }, 'maxPassengers'],
    ['half a passenger', { maxPassengers: 2.5 }, 'maxPassengers'],
    ['a one-letter name', { name: 'X' }, 'name'],
    ['an unknown field', { colour: 'green' }, 'colour'],
  ])('refuses %s', async (_case, fields, field) => {
    const body = newTypeFields(fields as Partial<ServiceTypeBody>);

    expectError(await t.admin.post('/api/service-types').send(body), 400, field);
    expect((await publicList()).map((type) => type.name)).not.toContain(body.name);
  });

  it.each(['baseFare', 'perMileRate', 'perMinuteRate', 'maxPassengers', 'name'])(
    'refuses a type without %s',
    async (field) => {
      const body: Record<string, unknown> = newTypeFields();
      delete body[field];

      expectError(await t.admin.post('/api/service-types').send(body), 400, field);
    },
  );

  it('refuses a name another type has, in another letter case', async () => {
    const existing = await createType();
    const before = await publicList();

    const response = await t.admin
      .post('/api/service-types')
      .send(newTypeFields({ name: existing.name.toUpperCase() }));
    expectError(response, 409);
    expectError(
      await t.admin.post('/api/service-types').send(newTypeFields({ name: 'swiftride x' })),
      409,
    );
    expect(await publicList()).toEqual(before);
  });
});

describe('PATCH /api/service-types/{id}', () => {
  it('changes fares and answers with JSON numbers', async () => {
    const type = await createType();

    const response = await t.admin
      .patch(`/api/service-types/${type.id}`)
      .send({ baseFare: 4.1, perMinuteRate: 0.45 });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...type, baseFare: 4.1, perMinuteRate: 0.45 });
    expect((await t.http.get(`/api/service-types/${type.id}`)).body).toEqual(response.body);
  });

  it('answers an empty change with the type as it was', async () => {
    const type = await createType();

    const response = await t.admin.patch(`/api/service-types/${type.id}`).send({});
    expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: type });
  });

  it('hides a deactivated type from the public list and from the available types', async () => {
    const type = await createType();
    await createDriver(t, { serviceTypeId: type.id, online: true });
    expect(idsOf(await publicList())).toContain(type.id);
    expect(idsOf(await availableList())).toContain(type.id);

    const response = await t.admin.patch(`/api/service-types/${type.id}`).send({ isActive: false });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...type, isActive: false });

    expect(idsOf(await publicList())).not.toContain(type.id);
    expect(idsOf(await availableList())).not.toContain(type.id);
    expect((await t.http.get(`/api/service-types/${type.id}`)).body.isActive).toBe(false);
  });

  it('shows a reactivated type again', async () => {
    const type = await createType({ isActive: false });

    await t.admin.patch(`/api/service-types/${type.id}`).send({ isActive: true }).expect(200);

    expect(await publicList()).toContainEqual({ ...type, isActive: true });
  });

  it('refuses a name another type has, in another letter case', async () => {
    const type = await createType();

    const response = await t.admin
      .patch(`/api/service-types/${type.id}`)
      .send({ name: 'SWIFTRIDE SUV' });
    expectError(response, 409);
    expect((await t.http.get(`/api/service-types/${type.id}`)).body.name).toBe(type.name);
  });

  it('refuses invalid fares and leaves the type as it was', async () => {
    const type = await createType();

    expectError(
      await t.admin.patch(`/api/service-types/${type.id}`).send({ baseFare: -0.01 }),
      400,
      'baseFare',
    );
    expectError(
      await t.admin.patch(`/api/service-types/${type.id}`).send({ maxPassengers: 0 }),
      400,
      'maxPassengers',
    );
    expect((await t.http.get(`/api/service-types/${type.id}`)).body).toEqual(type);
  });

  it('answers 404 for a type that does not exist', async () => {
    expectError(await t.admin.patch('/api/service-types/987654').send({ baseFare: 1 }), 404);
  });
});

describe('DELETE /api/service-types/{id}', () => {
  it('deletes a type no driver uses', async () => {
    const type = await createType();

    const response = await t.admin.delete(`/api/service-types/${type.id}`);
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expectError(await t.http.get(`/api/service-types/${type.id}`), 404);
    expect(idsOf(await publicList())).not.toContain(type.id);
  });

  it('refuses to delete a type a driver uses, and keeps it', async () => {
    const type = await createType();
    await createDriver(t, { serviceTypeId: type.id });

    expectError(await t.admin.delete(`/api/service-types/${type.id}`), 409);
    expect((await t.http.get(`/api/service-types/${type.id}`)).body).toEqual(type);
    expect(await publicList()).toContainEqual(type);
  });

  it('answers 404 for a type that does not exist', async () => {
    expectError(await t.admin.delete('/api/service-types/987654'), 404);
  });
});

describe('GET /api/rides/available-service-types', () => {
  it('lists exactly the active types that have a driver online, in id order', async () => {
    await takeEveryDriverOffline();
    const busy = await createType();
    const quiet = await createType();
    const retired = await createType();
    await createType();
    await createDriver(t, { serviceTypeId: 1, online: true });
    await createDriver(t, { serviceTypeId: busy.id, online: true });
    await createDriver(t, { serviceTypeId: busy.id, online: true });
    await createDriver(t, { serviceTypeId: quiet.id });
    const leaving = await createDriver(t, { serviceTypeId: 2, online: true });
    await createDriver(t, { serviceTypeId: retired.id, online: true });
    await t.admin.patch(`/api/service-types/${retired.id}`).send({ isActive: false }).expect(200);
    await t.http
      .patch('/api/drivers/me/update-status')
      .set('Authorization', bearer(leaving))
      .send({ isOnline: false })
      .expect(200);

    const response = await t.http
      .get('/api/rides/available-service-types')
      .set('Authorization', bearer(rider));
    expect(response.status).toBe(200);
    expect(response.body).toEqual([REFERENCE_TYPES[0], busy]);
  });

  it('stops listing a type whose only online driver is no longer a driver', async () => {
    const type = await createType();
    const driver = await createDriver(t, { serviceTypeId: type.id, online: true });
    expect(idsOf(await availableList())).toContain(type.id);

    await t.admin.patch(`/api/users/${driver.id}`).send({ roleId: 1 }).expect(200);

    expect(idsOf(await availableList())).not.toContain(type.id);
  });

  it('lists nothing while no driver is online', async () => {
    await takeEveryDriverOffline();

    expect(await availableList()).toEqual([]);
  });

  it('answers with one SQL statement, for 1 or 30 drivers online', async () => {
    await takeEveryDriverOffline();
    const type = await createType();
    await createDriver(t, { serviceTypeId: type.id, online: true });

    let listed: ServiceTypeBody[] = [];
    const withOne = await countStatements(t, async () => {
      listed = await availableList();
    });
    expect(listed).toEqual([type]);

    await insertOnlineDrivers(type.id, 29);
    await insertOnlineDrivers(1, 30);
    const withThirty = await countStatements(t, async () => {
      listed = await availableList();
    });
    expect(listed).toEqual([REFERENCE_TYPES[0], type]);

    expect(withOne).toBe(CALLER_CHECK + 1);
    expect(withThirty).toBe(withOne);
  });
});
