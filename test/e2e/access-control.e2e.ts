import type { Response } from 'supertest';
import {
  type Account,
  bearer,
  createDriver,
  createRider,
  login,
  PASSWORD,
  uniqueUsername,
} from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { createRide, OAKLAND, putLocation, rideAction, rideBody, SF } from '../support/rides';

/**
 * Who may call what: one row per documented route, one expected status per kind of caller. Each
 * request is one that succeeds for an allowed caller (real ids, valid bodies), so any status but
 * the expected one is an access-control difference, not a validation one.
 */

type Caller = 'anonymous' | 'rider' | 'driver' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'rider', 'driver', 'admin'];

const RIDER = 1;
const ADMIN = 3;

interface RouteRequest {
  /** Values for the `{name}` placeholders of the route's path. */
  params?: Record<string, number>;
  /** The query string. */
  query?: Record<string, number>;
  body?: object;
}

interface Row {
  expected: Record<Caller, number>;
  /** Called once per caller: rows a successful call would change or delete are fresh each time. */
  request: () => RouteRequest | Promise<RouteRequest>;
}

let t: TestApp;
let rider: Account;
let driver: Account;
/** Owns the sessions that the refresh and logout rows use up. */
let sessionOwner: Account;

const ROUTES: Record<string, Row> = {
  'GET /api/health': {
    expected: { anonymous: 200, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'GET /api/health/live': {
    expected: { anonymous: 200, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'GET /api/health/ready': {
    expected: { anonymous: 200, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'POST /api/auth/register': {
    expected: { anonymous: 201, rider: 201, driver: 201, admin: 201 },
    request: () => ({
      body: { username: uniqueUsername('signup'), password: PASSWORD, roleId: RIDER },
    }),
  },
  'POST /api/auth/login': {
    expected: { anonymous: 200, rider: 200, driver: 200, admin: 200 },
    request: () => ({ body: { username: sessionOwner.username, password: PASSWORD } }),
  },
  'POST /api/auth/refresh': {
    expected: { anonymous: 200, rider: 200, driver: 200, admin: 200 },
    request: async () => ({ body: { refreshToken: await newRefreshToken() } }),
  },
  'POST /api/auth/logout': {
    expected: { anonymous: 200, rider: 200, driver: 200, admin: 200 },
    request: async () => ({ body: { refreshToken: await newRefreshToken() } }),
  },
  'GET /api/auth/me': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'GET /api/auth/secure-route': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'GET /api/users/me': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'PATCH /api/users/me': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: () => ({ body: { username: uniqueUsername('renamed') } }),
  },
  'GET /api/users': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 200 },
    request: () => ({}),
  },
  'POST /api/users': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 201 },
    request: () => ({
      body: { username: uniqueUsername('created'), password: PASSWORD, roleId: RIDER },
    }),
  },
  'GET /api/users/{id}': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 200 },
    request: () => ({ params: { id: rider.id } }),
  },
  'PATCH /api/users/{id}': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 200 },
    request: async () => ({
      params: { id: await newUserId() },
      body: { username: uniqueUsername('renamed') },
    }),
  },
  'DELETE /api/users/{id}': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 204 },
    request: async () => ({ params: { id: await newUserId() } }),
  },
  'GET /api/roles': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 200 },
    request: () => ({}),
  },
  'POST /api/roles': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 201 },
    request: () => ({ body: { name: uniqueUsername('team') } }),
  },
  'GET /api/roles/{id}': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 200 },
    request: () => ({ params: { id: RIDER } }),
  },
  'PATCH /api/roles/{id}': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 200 },
    request: async () => ({
      params: { id: await newRoleId() },
      body: { name: uniqueUsername('team') },
    }),
  },
  'DELETE /api/roles/{id}': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 204 },
    request: async () => ({ params: { id: await newRoleId() } }),
  },
  'GET /api/service-types': {
    expected: { anonymous: 200, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'GET /api/service-types/{id}': {
    expected: { anonymous: 200, rider: 200, driver: 200, admin: 200 },
    request: () => ({ params: { id: 1 } }),
  },
  'POST /api/service-types': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 201 },
    request: () => ({ body: newServiceTypeBody() }),
  },
  'PATCH /api/service-types/{id}': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 200 },
    request: async () => ({ params: { id: await newServiceTypeId() }, body: { baseFare: 4.75 } }),
  },
  'DELETE /api/service-types/{id}': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 204 },
    request: async () => ({ params: { id: await newServiceTypeId() } }),
  },
  'GET /api/drivers/me': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: () => ({}),
  },
  'PATCH /api/drivers/me': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: () => ({ body: { make: 'Honda', model: 'Civic' } }),
  },
  'PATCH /api/drivers/me/update-status': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: () => ({ body: { isOnline: true } }),
  },
  'GET /api/rides/available-service-types': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'POST /api/rides/estimate': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: () => ({ body: trip() }),
  },
  'POST /api/rides': {
    expected: { anonymous: 401, rider: 201, driver: 403, admin: 403 },
    request: async () => {
      await endActiveRides();
      return { body: rideBody() };
    },
  },
  'GET /api/rides': {
    expected: { anonymous: 401, rider: 403, driver: 403, admin: 200 },
    request: () => ({}),
  },
  'GET /api/rides/me': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'GET /api/rides/me/active': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: () => ({}),
  },
  'GET /api/rides/open': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: async () => {
      await reportDriverLocation();
      return { query: { radiusKm: 5 } };
    },
  },
  'GET /api/rides/{id}': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: async () => ({ params: { id: await rideIn('ACCEPTED') } }),
  },
  'POST /api/rides/{id}/accept': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: async () => ({ params: { id: await rideIn('REQUESTED') } }),
  },
  'POST /api/rides/{id}/decline': {
    // A new request is offered to the fixed driver, the one free driver near its pickup.
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: async () => ({ params: { id: await rideIn('REQUESTED') } }),
  },
  'POST /api/rides/{id}/arriving': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: async () => ({ params: { id: await rideIn('ACCEPTED') } }),
  },
  'POST /api/rides/{id}/start': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: async () => ({ params: { id: await rideIn('ARRIVING') } }),
  },
  'POST /api/rides/{id}/complete': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: async () => ({ params: { id: await rideIn('IN_PROGRESS') } }),
  },
  'POST /api/rides/{id}/cancel': {
    // An accepted ride: the refused driver is the ride's own driver, not a stranger to it.
    expected: { anonymous: 401, rider: 200, driver: 403, admin: 200 },
    request: async () => ({
      params: { id: await rideIn('ACCEPTED') },
      body: { reason: 'plans changed' },
    }),
  },
  'POST /api/rides/{id}/release': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: async () => ({
      params: { id: await rideIn('ACCEPTED') },
      body: { reason: 'flat tyre' },
    }),
  },
  'POST /api/rides/{id}/rate': {
    expected: { anonymous: 401, rider: 200, driver: 403, admin: 403 },
    request: async () => ({
      params: { id: await rideIn('COMPLETED') },
      body: { rating: 5, comment: 'smooth' },
    }),
  },
  'GET /api/drivers/nearby': {
    expected: { anonymous: 401, rider: 200, driver: 200, admin: 200 },
    request: () => ({ query: { latitude: SF.latitude, longitude: SF.longitude, radiusKm: 5 } }),
  },
  'PUT /api/drivers/me/location': {
    expected: { anonymous: 401, rider: 403, driver: 200, admin: 403 },
    request: () => ({ body: { latitude: SF.latitude, longitude: SF.longitude } }),
  },
};

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

beforeAll(async () => {
  t = await createTestApp();
  [rider, driver, sessionOwner] = await Promise.all([
    createRider(t),
    createDriver(t, { online: true }),
    createRider(t),
  ]);
  await reportDriverLocation();
});
afterAll(() => t.close());

function tokenOf(caller: Caller): string | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'rider':
      return rider.accessToken;
    case 'driver':
      return driver.accessToken;
    case 'admin':
      return t.adminToken;
  }
}

async function newRefreshToken(): Promise<string> {
  return (await login(t, sessionOwner.username)).refreshToken;
}

async function newUserId(): Promise<number> {
  const response = await t.admin
    .post('/api/users')
    .send({ username: uniqueUsername('spare'), password: PASSWORD, roleId: RIDER });
  expect(response.status).toBe(201);
  return response.body.id as number;
}

async function newRoleId(): Promise<number> {
  const response = await t.admin.post('/api/roles').send({ name: uniqueUsername('spare') });
  expect(response.status).toBe(201);
  return response.body.id as number;
}

function newServiceTypeBody() {
  return {
    name: uniqueUsername('Class'),
    baseFare: 3,
    perMileRate: 1.5,
    perMinuteRate: 0.3,
    maxPassengers: 4,
  };
}

async function newServiceTypeId(): Promise<number> {
  const response = await t.admin.post('/api/service-types').send(newServiceTypeBody());
  expect(response.status).toBe(201);
  return response.body.id as number;
}

function trip() {
  return {
    pickupLatitude: SF.latitude,
    pickupLongitude: SF.longitude,
    destinationLatitude: OAKLAND.latitude,
    destinationLongitude: OAKLAND.longitude,
  };
}

/** The fixed driver is online (since beforeAll) and has just reported a position in SF. */
async function reportDriverLocation(): Promise<void> {
  const response = await putLocation(t, driver, SF);
  expect(response.status).toBe(200);
}

/**
 * Ends every ride that would stop the fixed rider from requesting one or the fixed driver from
 * accepting one, so each row starts from the same state whatever the rows before it left.
 */
async function endActiveRides(): Promise<void> {
  await t.sequelize.query(
    `UPDATE "RideRequests"
     SET status = 'CANCELLED', "cancelledAt" = now(), "cancelledBy" = 'admin',
         "cancelReason" = 'access-table reset', "updatedAt" = now()
     WHERE ("riderId" = :riderId OR "driverId" = :driverId)
       AND status IN ('REQUESTED', 'ACCEPTED', 'ARRIVING', 'IN_PROGRESS')`,
    { replacements: { riderId: rider.id, driverId: driver.id } },
  );
}

const STEPS_TO = {
  REQUESTED: [],
  ACCEPTED: ['accept'],
  ARRIVING: ['accept', 'arriving'],
  IN_PROGRESS: ['accept', 'arriving', 'start'],
  COMPLETED: ['accept', 'arriving', 'start', 'complete'],
} as const;

/** A new ride of the fixed rider in `status`, driven there through the API by the fixed driver. */
async function rideIn(status: keyof typeof STEPS_TO): Promise<number> {
  await endActiveRides();
  const rideId = await createRide(t, rider);
  for (const action of STEPS_TO[status]) {
    const response = await rideAction(t, driver, rideId, action);
    if (response.status !== 200) {
      throw new Error(
        `${action} ride ${rideId}: ${response.status} ${JSON.stringify(response.body)}`,
      );
    }
  }
  return rideId;
}

function pathOf(route: string, params: Record<string, number> = {}): string {
  const template = route.split(' ')[1];
  return template.replace(/\{(\w+)\}/g, (_placeholder, name: string) => {
    if (params[name] === undefined) throw new Error(`${route}: no value for {${name}}`);
    return String(params[name]);
  });
}

async function call(route: string, caller: Caller, request: RouteRequest): Promise<Response> {
  const method = route.split(' ')[0].toLowerCase() as
    'get' | 'head' | 'post' | 'put' | 'patch' | 'delete';
  let pending = t.http[method](pathOf(route, request.params));
  if (request.query) pending = pending.query(request.query);
  const token = tokenOf(caller);
  if (token) pending = pending.set('Authorization', `Bearer ${token}`);
  return request.body === undefined ? pending : pending.send(request.body);
}

/** Status and body together, so that a wrong status shows the server's explanation. */
function expectStatus(response: Response, status: number): void {
  expect({ status: response.status, body: response.body }).toMatchObject({ status });
  if (status >= 400) {
    expect(response.body).toMatchObject({ success: false, statusCode: status });
  }
}

describe('the access table', () => {
  it('has a row for exactly the routes the API documents', async () => {
    const response = await t.http.get('/docs-json').expect(200);
    const paths = response.body.paths as Record<string, Record<string, unknown>>;
    const documented = Object.entries(paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((key) => HTTP_METHODS.has(key))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    const rows = Object.keys(ROUTES);

    expect({
      documentedWithoutRow: documented.filter((route) => !rows.includes(route)),
      rowsWithoutRoute: rows.filter((route) => !documented.includes(route)),
    }).toEqual({ documentedWithoutRow: [], rowsWithoutRoute: [] });
  });
});

describe.each(Object.entries(ROUTES))('%s', (route, row) => {
  it.each(CALLERS.map((caller) => [caller, row.expected[caller]] as const))(
    'answers %s with %i',
    async (caller, status) => {
      const response = await call(route, caller, await row.request());
      expectStatus(response, status);
    },
  );
});

describe('HEAD requests', () => {
  const getRoutes = Object.entries(ROUTES).filter(([route]) => route.startsWith('GET '));

  it.each(getRoutes)('%s: HEAD answers every caller as GET does', async (route, row) => {
    const headRoute = route.replace(/^GET /, 'HEAD ');
    for (const caller of CALLERS) {
      const response = await call(headRoute, caller, await row.request());
      expect({ caller, status: response.status }).toEqual({ caller, status: row.expected[caller] });
    }
  });
});

describe('raising one’s own role', () => {
  it.each([
    ['rider', createRider],
    ['driver', createDriver],
  ] as const)('is impossible for a %s, by any route', async (_kind, create) => {
    const account = await create(t);
    const auth = bearer(account);
    const before = await t.http.get('/api/auth/me').set('Authorization', auth).expect(200);

    const viaMe = await t.http
      .patch('/api/users/me')
      .set('Authorization', auth)
      .send({ roleId: ADMIN });
    expectStatus(viaMe, 400);
    expect(viaMe.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'roleId' })]),
    );

    const alongWithAName = await t.http
      .patch('/api/users/me')
      .set('Authorization', auth)
      .send({ username: uniqueUsername('sneaky'), roleId: ADMIN });
    expectStatus(alongWithAName, 400);

    const viaId = await t.http
      .patch(`/api/users/${account.id}`)
      .set('Authorization', auth)
      .send({ roleId: ADMIN });
    expectStatus(viaId, 403);

    const after = await t.http.get('/api/auth/me').set('Authorization', auth).expect(200);
    expect(after.body.roleId).toBe(account.roleId);
    expect(after.body.role).toEqual(before.body.role);
    expect(after.body.username).toBe(account.username);
    expectStatus(await t.http.get('/api/users').set('Authorization', auth), 403);
  });

  it('cannot be done by signing up as an admin', async () => {
    const username = uniqueUsername('wannabe');
    const response = await t.http
      .post('/api/auth/register')
      .send({ username, password: PASSWORD, roleId: ADMIN });
    expectStatus(response, 400);

    const loginAttempt = await t.http
      .post('/api/auth/login')
      .send({ username, password: PASSWORD });
    expectStatus(loginAttempt, 401);
  });
});

describe('a change of role', () => {
  async function createAdmin(): Promise<Account> {
    const username = uniqueUsername('admin');
    await t.admin
      .post('/api/users')
      .send({ username, password: PASSWORD, roleId: ADMIN })
      .expect(201);
    return login(t, username);
  }

  it('takes admin access away from a demoted admin at once, with the same token', async () => {
    const demoted = await createAdmin();
    expectStatus(await t.http.get('/api/users').set('Authorization', bearer(demoted)), 200);

    const change = await t.admin.patch(`/api/users/${demoted.id}`).send({ roleId: RIDER });
    expectStatus(change, 200);

    expectStatus(await t.http.get('/api/users').set('Authorization', bearer(demoted)), 403);
    expectStatus(
      await t.http
        .post('/api/roles')
        .set('Authorization', bearer(demoted))
        .send({
          name: uniqueUsername('team'),
        }),
      403,
    );
    const me = await t.http.get('/api/auth/me').set('Authorization', bearer(demoted)).expect(200);
    expect(me.body.roleId).toBe(RIDER);
  });

  it('gives admin access to a promoted rider at once, with the same token', async () => {
    const promoted = await createRider(t);
    expectStatus(await t.http.get('/api/users').set('Authorization', bearer(promoted)), 403);

    await t.admin.patch(`/api/users/${promoted.id}`).send({ roleId: ADMIN }).expect(200);

    expectStatus(await t.http.get('/api/users').set('Authorization', bearer(promoted)), 200);
  });
});

describe('a deleted account', () => {
  it('can no longer use its access token', async () => {
    const deleted = await createRider(t);
    await t.admin.delete(`/api/users/${deleted.id}`).expect(204);

    expectStatus(await t.http.get('/api/auth/me').set('Authorization', bearer(deleted)), 401);
    expectStatus(await t.http.get('/api/users/me').set('Authorization', bearer(deleted)), 401);
  });
});
