import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { loadConfig } from '../../src/config/configuration';
import {
  type Account,
  createDriver,
  createRider,
  login,
  PASSWORD,
  uniquePlate,
  uniqueUsername,
} from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import { decodeJwtPayload, nowInSeconds, signJwt } from '../support/jwt';

/**
 * ../shared/swiftride-client-contract.md as tests: every request the unmodified iOS app sends, and
 * every response decoded as strictly as its `JSONDecoder` would (a wrong JSON type fails).
 */

const JWT_SECRET = randomBytes(32).toString('base64url');
const JSON_HEADERS = { 'Content-Type': 'application/json' };
const RIDER = 1;
const DRIVER = 2;

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ JWT_SECRET });
});
afterAll(() => t.close());

// ---------------------------------------------------------------------------------------------
// A small Codable: each decoder returns the typed value or throws naming the key that failed.

type Decoder<T> = (value: unknown, path: string) => T;
type Decoded<Fields> = { [K in keyof Fields]: Fields[K] extends Decoder<infer T> ? T : never };

function mismatch(path: string, expected: string, value: unknown): Error {
  const shown = value === undefined ? 'nothing (key missing)' : JSON.stringify(value);
  return new Error(`${path}: expected ${expected}, got ${shown}`);
}

const expectInt: Decoder<number> = (value, path) => {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw mismatch(path, 'Int (a JSON integer)', value);
};

/** A JSON number; a decimal string such as "2.50" fails, as it does in Swift. */
const expectDouble: Decoder<number> = (value, path) => {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw mismatch(path, 'Double (a JSON number)', value);
};

const expectBool: Decoder<boolean> = (value, path) => {
  if (typeof value === 'boolean') return value;
  throw mismatch(path, 'Bool (a JSON boolean)', value);
};

const expectString: Decoder<string> = (value, path) => {
  if (typeof value === 'string') return value;
  throw mismatch(path, 'String', value);
};

/** Swift's `T?`: the key may be absent or null. */
function optional<T>(decoder: Decoder<T>): Decoder<T | null> {
  return (value, path) => (value === undefined || value === null ? null : decoder(value, path));
}

function arrayOf<T>(item: Decoder<T>): Decoder<T[]> {
  return (value, path) => {
    if (!Array.isArray(value)) throw mismatch(path, 'an array', value);
    return value.map((element, index) => item(element, `${path}[${index}]`));
  };
}

/** A `Codable` struct: every listed key is decoded; extra keys are ignored. */
function struct<Fields extends Record<string, Decoder<unknown>>>(
  fields: Fields,
): Decoder<Decoded<Fields>> {
  return (value, path) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw mismatch(path, 'an object', value);
    }
    const object = value as Record<string, unknown>;
    const decoded: Record<string, unknown> = {};
    for (const [key, decoder] of Object.entries(fields)) {
      decoded[key] = decoder(object[key], `${path}.${key}`);
    }
    return decoded as Decoded<Fields>;
  };
}

// The client's types, exactly as the contract page lists them.
const RegisterResponse = struct({ message: optional(expectString), success: expectBool });
const LoginResponse = struct({
  message: optional(expectString),
  success: expectBool,
  accessToken: optional(expectString),
  refreshToken: optional(expectString),
  userId: optional(expectInt),
  roleId: optional(expectInt),
  isOnline: optional(expectBool),
});
const RefreshTokenResponse = struct({ accessToken: expectString });
const SecureResponse = struct({ success: expectBool, message: optional(expectString) });
const APIResponse = struct({ success: expectBool, message: optional(expectString) });
const ServiceType = struct({
  id: expectInt,
  name: expectString,
  baseFare: expectDouble,
  perMileRate: expectDouble,
  perMinuteRate: expectDouble,
  maxPassengers: expectInt,
});
const ServiceTypes = arrayOf(ServiceType);
/** The client declares `message: String?`; we promise more: always one string. */
const ErrorResponse = struct({ message: expectString });
/**
 * `{ success, ride }`: the contract fixes no fields of `ride`; we check the ones a newer client
 * would read, with Swift's types.
 */
const CreateRideResponse = struct({
  success: expectBool,
  ride: struct({
    id: expectInt,
    status: expectString,
    pickupLatitude: expectDouble,
    pickupLongitude: expectDouble,
    pickupAddress: expectString,
    destinationLatitude: expectDouble,
    destinationLongitude: expectDouble,
    destinationAddress: expectString,
    serviceTypeId: expectInt,
    serviceType: ServiceType,
    estimatedFare: expectDouble,
  }),
});
const AccessTokenPayload = struct({
  userId: expectInt,
  roleId: expectInt,
  exp: optional(expectDouble),
});

type LoginResponseBody = ReturnType<typeof LoginResponse>;
type ServiceTypeBody = ReturnType<typeof ServiceType>;

/** What the client does with a response: the expected status, then the whole body decoded. */
function decode<T>(response: Response, status: number, type: Decoder<T>, name: string): T {
  expect({ status: response.status, body: response.body as unknown }).toMatchObject({ status });
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  return type(JSON.parse(response.text), name);
}

/** Any status but 2xx: the client shows `ErrorResponse.message`. */
function decodeError(response: Response, status: number): string {
  const { message } = decode(response, status, ErrorResponse, 'ErrorResponse');
  expect(message.trim()).not.toBe('');
  return message;
}

/** The client's rule for a usable login: success, both tokens, userId and roleId. */
function expectUsableLogin(login: LoginResponseBody): void {
  expect(login.success).toBe(true);
  expect(login.accessToken).toEqual(expect.any(String));
  expect(login.refreshToken).toEqual(expect.any(String));
  expect(login.userId).toEqual(expect.any(Number));
  expect(login.roleId).toEqual(expect.any(Number));
}

// ---------------------------------------------------------------------------------------------
// The client's requests: JSON content type on every request, a bearer token on authenticated ones.

const post = (path: string, body: object) => t.http.post(path).set(JSON_HEADERS).send(body);

function authed(
  method: 'get' | 'patch' | 'post',
  path: string,
  accessToken: string,
  body?: object,
) {
  const request = t.http[method](path)
    .set(JSON_HEADERS)
    .set('Authorization', `Bearer ${accessToken}`);
  return body === undefined ? request : request.send(body);
}

function registerRequest(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { username: uniqueUsername('app'), password: PASSWORD, roleId: RIDER, ...fields };
}

function driverRegisterRequest(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return registerRequest({
    roleId: DRIVER,
    make: 'Toyota',
    model: 'Prius',
    licensePlate: uniquePlate(),
    ...fields,
  });
}

async function appLogin(username: string, password = PASSWORD): Promise<LoginResponseBody> {
  const response = await post('/api/auth/login', { username, password });
  const body = decode(response, 200, LoginResponse, 'LoginResponse');
  expectUsableLogin(body);
  return body;
}

async function createServiceType(
  fields: Record<string, unknown> = {},
): Promise<{ id: number; name: string }> {
  const response = await t.admin.post('/api/service-types').send({
    name: uniqueUsername('Green'),
    baseFare: 3.75,
    perMileRate: 1.55,
    perMinuteRate: 0.3,
    maxPassengers: 3,
    ...fields,
  });
  expect(response.status).toBe(201);
  return response.body as { id: number; name: string };
}

async function availableServiceTypes(accessToken: string): Promise<ServiceTypeBody[]> {
  const response = await authed('get', '/api/rides/available-service-types', accessToken);
  return decode(response, 200, ServiceTypes, '[ServiceType]');
}

async function setOnline(driver: Account, isOnline: boolean): Promise<void> {
  const response = await authed('patch', '/api/drivers/me/update-status', driver.accessToken, {
    isOnline,
  });
  const body = decode(response, 200, APIResponse, 'APIResponse');
  expect(body.success).toBe(true);
}

/**
 * The iOS client's networking as the contract page describes it: on a 401 it refreshes once with
 * the refresh token it got at login, retries once, and forgets both tokens if that fails.
 */
class SwiftRideClient {
  refreshes = 0;

  constructor(
    public accessToken: string | null,
    public refreshToken: string | null,
  ) {}

  async get(path: string): Promise<Response> {
    const first = await this.send(path);
    if (first.status !== 401) return first;
    this.refreshes += 1;
    const refreshed = await post('/api/auth/refresh', { refreshToken: this.refreshToken });
    if (refreshed.status !== 200) {
      this.logOut();
      return refreshed;
    }
    this.accessToken = decode(
      refreshed,
      200,
      RefreshTokenResponse,
      'RefreshTokenResponse',
    ).accessToken;
    const retried = await this.send(path);
    if (retried.status === 401) this.logOut();
    return retried;
  }

  private send(path: string) {
    return authed('get', path, this.accessToken ?? '');
  }

  private logOut(): void {
    this.accessToken = null;
    this.refreshToken = null;
  }
}

// ---------------------------------------------------------------------------------------------

describe('the decoders', () => {
  it('are as strict as Codable: a decimal string, a missing key or a wrong type fails', () => {
    const type = {
      id: 1,
      name: 'X',
      baseFare: 2.5,
      perMileRate: 1,
      perMinuteRate: 0,
      maxPassengers: 4,
    };
    expect(ServiceType(type, 'ServiceType')).toEqual(type);
    expect(() => ServiceType({ ...type, baseFare: '2.50' }, 'ServiceType')).toThrow(/baseFare/);
    expect(() => ServiceType({ ...type, id: '1' }, 'ServiceType')).toThrow(/id/);
    expect(() => ServiceType({ ...type, maxPassengers: 4.5 }, 'ServiceType')).toThrow(/maxPass/);
    expect(() => ServiceType({ ...type, name: undefined }, 'ServiceType')).toThrow(/name/);
    expect(() => APIResponse({ success: 'true' }, 'APIResponse')).toThrow(/success/);
    expect(() => ErrorResponse({ message: ['a', 'b'] }, 'ErrorResponse')).toThrow(/message/);
    expect(LoginResponse({ success: false }, 'LoginResponse').isOnline).toBeNull();
  });
});

describe('where the client finds the API', () => {
  it('listens on port 8080 by default and serves everything under /api', async () => {
    expect(loadConfig({ NODE_ENV: 'test' }).http.port).toBe(8080);
    decode(await t.http.get('/api/service-types').set(JSON_HEADERS), 200, ServiceTypes, 'types');
    expect((await t.http.get('/service-types').set(JSON_HEADERS)).status).toBe(404);
  });
});

describe('POST /api/auth/register', () => {
  it('registers a rider from the RegisterRequest the app sends with 201 and a RegisterResponse', async () => {
    const request = registerRequest();

    const body = decode(
      await post('/api/auth/register', request),
      201,
      RegisterResponse,
      'RegisterResponse',
    );

    expect(body.success).toBe(true);
    await appLogin(request.username as string);
  });

  it('registers a driver with make, model, licensePlate and serviceTypeId', async () => {
    const request = driverRegisterRequest({ serviceTypeId: 2 });

    const body = decode(
      await post('/api/auth/register', request),
      201,
      RegisterResponse,
      'RegisterResponse',
    );

    expect(body.success).toBe(true);
    const session = await appLogin(request.username as string);
    const profile = await authed('get', '/api/drivers/me', session.accessToken!).expect(200);
    expect(profile.body).toMatchObject({ make: 'Toyota', model: 'Prius', serviceTypeId: 2 });
  });

  it('accepts a rider whose RegisterRequest carries the driver-only keys as null', async () => {
    const request = registerRequest({
      make: null,
      model: null,
      licensePlate: null,
      serviceTypeId: null,
    });

    decode(await post('/api/auth/register', request), 201, RegisterResponse, 'RegisterResponse');

    expect((await appLogin(request.username as string)).isOnline).toBeNull();
  });

  it.each([
    ['omits', {}],
    ['sends null for', { serviceTypeId: null }],
  ])('gives a driver who %s serviceTypeId SwiftRide X (1)', async (_how, fields) => {
    const request = driverRegisterRequest(fields);

    decode(await post('/api/auth/register', request), 201, RegisterResponse, 'RegisterResponse');

    const session = await appLogin(request.username as string);
    const profile = await authed('get', '/api/drivers/me', session.accessToken!).expect(200);
    expect(profile.body.serviceTypeId).toBe(1);
    expect(profile.body.serviceType.name).toBe('SwiftRide X');
  });

  it('refuses a driver who picks an inactive service type with 400, creating no account', async () => {
    const type = await createServiceType();
    await t.admin.patch(`/api/service-types/${type.id}`).send({ isActive: false }).expect(200);
    const request = driverRegisterRequest({ serviceTypeId: type.id });

    decodeError(await post('/api/auth/register', request), 400);

    const login = await post('/api/auth/login', { username: request.username, password: PASSWORD });
    decodeError(login, 401);
  });

  it.each([
    ['admin', 3],
    ['an unknown role', 4],
  ])('refuses registration as %s (roleId %i) with 400', async (_name, roleId) => {
    const request = registerRequest({ roleId });

    decodeError(await post('/api/auth/register', request), 400);

    decodeError(
      await post('/api/auth/login', { username: request.username, password: PASSWORD }),
      401,
    );
  });

  it('answers a username that is already taken with 409', async () => {
    const request = registerRequest();
    await post('/api/auth/register', request).expect(201);

    const message = decodeError(await post('/api/auth/register', request), 409);

    expect(message).toMatch(/username/i);
  });
});

describe('POST /api/auth/login', () => {
  it('answers a rider with a LoginResponse whose isOnline is null', async () => {
    const rider = await createRider(t);

    const response = await post('/api/auth/login', {
      username: rider.username,
      password: PASSWORD,
    });

    const body = decode(response, 200, LoginResponse, 'LoginResponse');
    expectUsableLogin(body);
    expect(body).toMatchObject({ success: true, userId: rider.id, roleId: RIDER });
    expect(response.body).toHaveProperty('isOnline', null);
  });

  it('answers a driver with a LoginResponse whose isOnline is their online flag', async () => {
    const driver = await createDriver(t);

    const offline = await appLogin(driver.username);
    expect(offline).toMatchObject({ userId: driver.id, roleId: DRIVER, isOnline: false });

    await setOnline(driver, true);
    expect((await appLogin(driver.username)).isOnline).toBe(true);
  });

  it('issues an access token whose payload the client can read: userId, roleId, exp', async () => {
    const driver = await createDriver(t);
    const body = await appLogin(driver.username);

    const payload = AccessTokenPayload(decodeJwtPayload(body.accessToken!), 'payload');

    expect(payload).toEqual({ userId: driver.id, roleId: DRIVER, exp: expect.any(Number) });
    expect(payload.exp).toBeGreaterThan(nowInSeconds());
    expect(payload.exp).toBeLessThanOrEqual(nowInSeconds() + 15 * 60 + 5);
  });

  it('answers a wrong password with 401 and an ErrorResponse', async () => {
    const rider = await createRider(t);

    decodeError(
      await post('/api/auth/login', { username: rider.username, password: 'wrong password' }),
      401,
    );
  });
});

describe('POST /api/auth/refresh', () => {
  it('keeps the first refresh token valid: three refreshes with it in a row all succeed', async () => {
    const rider = await createRider(t);
    const first = await appLogin(rider.username);

    for (let round = 1; round <= 3; round += 1) {
      const refreshed = decode(
        await post('/api/auth/refresh', { refreshToken: first.refreshToken }),
        200,
        RefreshTokenResponse,
        'RefreshTokenResponse',
      );
      expect(AccessTokenPayload(decodeJwtPayload(refreshed.accessToken), 'payload')).toMatchObject({
        userId: rider.id,
        roleId: RIDER,
      });
      const probe = await authed('get', '/api/auth/secure-route', refreshed.accessToken);
      expect(decode(probe, 200, SecureResponse, 'SecureResponse').success).toBe(true);
    }
  });

  it('answers an unknown refresh token with 401 and an ErrorResponse', async () => {
    decodeError(await post('/api/auth/refresh', { refreshToken: 'not-a-token' }), 401);
  });
});

describe('GET /api/auth/secure-route', () => {
  it('answers a valid access token with a SecureResponse', async () => {
    const rider = await createRider(t);

    const body = decode(
      await authed('get', '/api/auth/secure-route', rider.accessToken),
      200,
      SecureResponse,
      'SecureResponse',
    );

    expect(body.success).toBe(true);
  });

  it('answers a request without a token with 401 and an ErrorResponse', async () => {
    decodeError(await t.http.get('/api/auth/secure-route').set(JSON_HEADERS), 401);
  });
});

describe('GET /api/service-types', () => {
  it('lists the reference service types with their fares as JSON numbers, without a token', async () => {
    const response = await t.http.get('/api/service-types').set(JSON_HEADERS);

    const types = decode(response, 200, ServiceTypes, '[ServiceType]');

    expect(types.filter((type) => type.id <= 3)).toEqual(
      [
        {
          id: 1,
          name: 'SwiftRide X',
          baseFare: 2.5,
          perMileRate: 1.2,
          perMinuteRate: 0.25,
          maxPassengers: 4,
        },
        {
          id: 2,
          name: 'SwiftRide SUV',
          baseFare: 5,
          perMileRate: 2,
          perMinuteRate: 0.35,
          maxPassengers: 6,
        },
        {
          id: 3,
          name: 'SwiftRide Black',
          baseFare: 8,
          perMileRate: 3,
          perMinuteRate: 0.5,
          maxPassengers: 4,
        },
      ].map((type) => expect.objectContaining(type)),
    );
    expect(response.text).toContain('"baseFare":2.5');
    expect(response.text).not.toMatch(/"(baseFare|perMileRate|perMinuteRate)":"/);
  });

  it('lists only active service types', async () => {
    const type = await createServiceType();
    const listed = async () =>
      decode(await t.http.get('/api/service-types').set(JSON_HEADERS), 200, ServiceTypes, 'types');
    expect((await listed()).map(({ id }) => id)).toContain(type.id);

    await t.admin.patch(`/api/service-types/${type.id}`).send({ isActive: false }).expect(200);

    expect((await listed()).map(({ id }) => id)).not.toContain(type.id);
  });
});

describe('GET /api/rides/available-service-types', () => {
  it('lists a service type once one of its drivers is online, and not after they go offline', async () => {
    const type = await createServiceType({ baseFare: 3.75, perMileRate: 1.55, perMinuteRate: 0.3 });
    const rider = await createRider(t);
    const driver = await createDriver(t, { serviceTypeId: type.id });
    expect((await availableServiceTypes(rider.accessToken)).map(({ id }) => id)).not.toContain(
      type.id,
    );

    await setOnline(driver, true);
    const online = await availableServiceTypes(rider.accessToken);
    expect(online.find(({ id }) => id === type.id)).toEqual({
      id: type.id,
      name: type.name,
      baseFare: 3.75,
      perMileRate: 1.55,
      perMinuteRate: 0.3,
      maxPassengers: 3,
    });

    await setOnline(driver, false);
    expect((await availableServiceTypes(rider.accessToken)).map(({ id }) => id)).not.toContain(
      type.id,
    );
  });

  it('decodes SwiftRide X with its reference fares when one of its drivers is online', async () => {
    const rider = await createRider(t);
    await createDriver(t, { serviceTypeId: 1, online: true });

    const types = await availableServiceTypes(rider.accessToken);

    expect(types.find(({ id }) => id === 1)).toEqual({
      id: 1,
      name: 'SwiftRide X',
      baseFare: 2.5,
      perMileRate: 1.2,
      perMinuteRate: 0.25,
      maxPassengers: 4,
    });
  });

  it('leaves out a service type that was deactivated while its driver is online', async () => {
    const type = await createServiceType();
    const rider = await createRider(t);
    await createDriver(t, { serviceTypeId: type.id, online: true });

    await t.admin.patch(`/api/service-types/${type.id}`).send({ isActive: false }).expect(200);

    expect((await availableServiceTypes(rider.accessToken)).map(({ id }) => id)).not.toContain(
      type.id,
    );
  });

  it('answers a request without a token with 401', async () => {
    decodeError(await t.http.get('/api/rides/available-service-types').set(JSON_HEADERS), 401);
  });
});

describe('POST /api/rides', () => {
  /** Exactly the client's `CreateRideRequest`: no service type. */
  const createRideRequest = {
    pickupLatitude: 37.7749,
    pickupLongitude: -122.4194,
    pickupAddress: '1 Market St, San Francisco',
    destinationLatitude: 37.8044,
    destinationLongitude: -122.2712,
    destinationAddress: '2 Broadway, Oakland',
  };

  it('answers 201 { success, ride } for the client body, on SwiftRide X', async () => {
    const rider = await createRider(t);

    const response = await authed('post', '/api/rides', rider.accessToken, createRideRequest);

    const body = decode(response, 201, CreateRideResponse, 'CreateRideResponse');
    expect(body.success).toBe(true);
    expect(body.ride).toMatchObject({
      ...createRideRequest,
      status: 'REQUESTED',
      serviceTypeId: 1,
      serviceType: { id: 1, name: 'SwiftRide X' },
    });
  });

  it('explains a second request while the first is active in one message string', async () => {
    const rider = await createRider(t);
    await authed('post', '/api/rides', rider.accessToken, createRideRequest).expect(201);

    const message = decodeError(
      await authed('post', '/api/rides', rider.accessToken, createRideRequest),
      409,
    );
    expect(message).toMatch(/already have an active ride/);
  });

  it('explains a missing field in one message string', async () => {
    const rider = await createRider(t);
    const { pickupAddress: _omitted, ...withoutAddress } = createRideRequest;

    const message = decodeError(
      await authed('post', '/api/rides', rider.accessToken, withoutAddress),
      400,
    );
    expect(message).toMatch(/pickupAddress/);
  });
});

describe('PATCH /api/drivers/me/update-status', () => {
  it('lets a driver go online and offline, answering an APIResponse each time', async () => {
    const driver = await createDriver(t);

    await setOnline(driver, true);
    expect((await authed('get', '/api/drivers/me', driver.accessToken)).body.isOnline).toBe(true);

    await setOnline(driver, false);
    expect((await authed('get', '/api/drivers/me', driver.accessToken)).body.isOnline).toBe(false);
  });

  it('refuses a rider with 403', async () => {
    const rider = await createRider(t);

    const response = await authed('patch', '/api/drivers/me/update-status', rider.accessToken, {
      isOnline: true,
    });

    decodeError(response, 403);
  });
});

describe('every error the client can get', () => {
  const cases: [string, number, () => Promise<Response>][] = [
    [
      'a registration breaking several rules',
      400,
      () => post('/api/auth/register', { username: 'a', password: 'short', roleId: 9 }),
    ],
    [
      'a driver registration without a vehicle',
      400,
      () => post('/api/auth/register', registerRequest({ roleId: DRIVER })),
    ],
    [
      'isOnline that is not a boolean',
      400,
      async () => {
        const driver = await createDriver(t);
        return authed('patch', '/api/drivers/me/update-status', driver.accessToken, {
          isOnline: 'yes',
        });
      },
    ],
    [
      'a wrong password',
      401,
      async () => {
        const rider = await createRider(t);
        return post('/api/auth/login', { username: rider.username, password: 'not the password' });
      },
    ],
    [
      'an unknown user',
      401,
      () => post('/api/auth/login', { username: uniqueUsername(), password: PASSWORD }),
    ],
    ['a missing access token', 401, () => t.http.get('/api/auth/secure-route').set(JSON_HEADERS)],
    ['an unknown refresh token', 401, () => post('/api/auth/refresh', { refreshToken: 'nope' })],
    [
      'a rider going online',
      403,
      async () => {
        const rider = await createRider(t);
        return authed('patch', '/api/drivers/me/update-status', rider.accessToken, {
          isOnline: true,
        });
      },
    ],
    ['an unknown path', 404, () => t.http.get('/api/nowhere').set(JSON_HEADERS)],
    [
      'a driver account without a driver profile going online',
      404,
      async () => {
        const username = uniqueUsername('bare-driver');
        await t.admin
          .post('/api/users')
          .send({ username, password: PASSWORD, roleId: DRIVER })
          .expect(201);
        const driver = await login(t, username);
        return authed('patch', '/api/drivers/me/update-status', driver.accessToken, {
          isOnline: true,
        });
      },
    ],
    [
      'a username taken in another letter case',
      409,
      async () => {
        const rider = await createRider(t);
        return post(
          '/api/auth/register',
          registerRequest({ username: rider.username.toUpperCase() }),
        );
      },
    ],
    [
      'a licence plate already registered',
      409,
      async () => {
        const licensePlate = uniquePlate();
        await post('/api/auth/register', driverRegisterRequest({ licensePlate })).expect(201);
        return post('/api/auth/register', driverRegisterRequest({ licensePlate }));
      },
    ],
  ];

  it.each(cases)('carries message as one string: %s → %i', async (_name, status, send) => {
    decodeError(await send(), status);
  });
});

describe('the client’s handling of 401', () => {
  it('refreshes once with its stored refresh token and retries when the access token expired', async () => {
    const rider = await createRider(t);
    const session = await appLogin(rider.username);
    const expired = signJwt(
      {
        sub: String(rider.id),
        userId: rider.id,
        roleId: RIDER,
        iat: nowInSeconds() - 1000,
        exp: nowInSeconds() - 100,
      },
      JWT_SECRET,
    );
    const client = new SwiftRideClient(expired, session.refreshToken);

    const response = await client.get('/api/auth/secure-route');

    expect(decode(response, 200, SecureResponse, 'SecureResponse').success).toBe(true);
    expect(client.refreshes).toBe(1);
    expect(client.refreshToken).toBe(session.refreshToken);
    expect(client.accessToken).not.toBe(expired);
  });

  it('keeps working across repeated expiries with the refresh token from login', async () => {
    const rider = await createRider(t);
    const session = await appLogin(rider.username);
    const client = new SwiftRideClient(null, session.refreshToken);

    for (let round = 0; round < 3; round += 1) {
      client.accessToken = 'expired-or-garbage';
      decode(await client.get('/api/rides/available-service-types'), 200, ServiceTypes, 'types');
    }

    expect(client.refreshes).toBe(3);
    expect(client.refreshToken).toBe(session.refreshToken);
  });

  it('ends with 401 and forgets both tokens once the refresh token is revoked', async () => {
    const rider = await createRider(t);
    const session = await appLogin(rider.username);
    await post('/api/auth/logout', { refreshToken: session.refreshToken }).expect(200);
    const client = new SwiftRideClient('garbage', session.refreshToken);

    const response = await client.get('/api/auth/secure-route');

    decodeError(response, 401);
    expect(client).toMatchObject({ accessToken: null, refreshToken: null, refreshes: 1 });
  });
});
