import { createHash, randomBytes } from 'node:crypto';
import * as bcrypt from 'bcryptjs';
import type { Response } from 'supertest';
import {
  type Account,
  bearer,
  createDriver,
  createRider,
  login,
  PASSWORD,
  uniquePlate,
  uniqueUsername,
} from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import {
  decodeJwtPayload,
  type JwtPart,
  nowInSeconds,
  signJwt,
  unsignedJwt,
  withPayload,
} from '../support/jwt';

/** Black-box tests of accounts: registration, login, access tokens, refresh sessions, logout. */

const JWT_SECRET = randomBytes(32).toString('base64url');
const OTHER_SECRET = randomBytes(32).toString('base64url');
const RIDER = 1;
const DRIVER = 2;
const ADMIN = 3;

let t: TestApp;
let adminId: number;

beforeAll(async () => {
  t = await createTestApp({ JWT_SECRET });
  adminId = decodeJwtPayload(t.adminToken).userId as number;
});
afterAll(() => t.close());

const register = (fields: Record<string, unknown>) =>
  t.http.post('/api/auth/register').send({ password: PASSWORD, roleId: RIDER, ...fields });

const registerDriver = (fields: Record<string, unknown>) =>
  register({
    roleId: DRIVER,
    make: 'Toyota',
    model: 'Prius',
    licensePlate: uniquePlate(),
    ...fields,
  });

const attemptLogin = (username: string, password = PASSWORD) =>
  t.http.post('/api/auth/login').send({ username, password });

const refresh = (refreshToken: string, rotate?: boolean) =>
  t.http.post('/api/auth/refresh').send({ refreshToken, ...(rotate !== undefined && { rotate }) });

const secureRoute = (authorization?: string) => {
  const request = t.http.get('/api/auth/secure-route');
  return authorization === undefined ? request : request.set('Authorization', authorization);
};

function expectError(response: Response, status: number, field?: string): void {
  expect({ status: response.status, body: response.body as unknown }).toMatchObject({
    status,
    body: { success: false, statusCode: status, message: expect.any(String) },
  });
  if (field === undefined) return;
  const fields = (response.body.details as { field: string }[]).map((detail) => detail.field);
  expect(fields).toContain(field);
}

async function usersNamed(username: string): Promise<number> {
  const [rows] = await t.sequelize.query(
    `SELECT count(*)::int AS count FROM "Users" WHERE lower(username) = lower(:username)`,
    { replacements: { username } },
  );
  return (rows as { count: number }[])[0].count;
}

/** `count` spellings of one name that differ only in letter case. */
function letterCases(name: string, count: number): string[] {
  const letters = [...name].flatMap((char, index) => (/[a-z]/.test(char) ? [index] : []));
  if (2 ** letters.length < count) throw new Error(`"${name}" has too few letters`);
  return Array.from({ length: count }, (_, variant) => {
    const chars = [...name];
    letters.forEach((position, bit) => {
      if (variant & (1 << bit)) chars[position] = chars[position].toUpperCase();
    });
    return chars.join('');
  });
}

/** A payload like the API's own, for a user. */
function claimsOf(account: Account, changes: JwtPart = {}): JwtPart {
  const iat = nowInSeconds();
  return {
    sub: String(account.id),
    userId: account.id,
    roleId: account.roleId,
    iat,
    exp: iat + 900,
    ...changes,
  };
}

async function me(account: Account): Promise<Record<string, unknown>> {
  const response = await t.http.get('/api/auth/me').set('Authorization', bearer(account));
  expect(response.status).toBe(200);
  return response.body as Record<string, unknown>;
}

describe('POST /api/auth/register: usernames', () => {
  it('accepts letters, digits, ".", "_" and "-"', async () => {
    const username = `Ann.Lee_9-${uniqueUsername('x')}`;

    expect((await register({ username })).status).toBe(201);
    expect((await login(t, username)).roleId).toBe(RIDER);
  });

  it('accepts a username of 3 and one of 32 characters', async () => {
    const short = 'Q_7';
    const long = uniqueUsername('long').padEnd(32, 'x');

    expect((await register({ username: short })).status).toBe(201);
    expect((await register({ username: long })).status).toBe(201);
    await login(t, short);
    await login(t, long);
  });

  it('trims spaces around the username', async () => {
    const username = uniqueUsername('trimmed');

    expect((await register({ username: `  ${username}  ` })).status).toBe(201);

    const account = await login(t, username);
    expect((await me(account)).username).toBe(username);
  });

  it.each([
    ['that is too short', 'ab'],
    ['that is too short once trimmed', '   ab   '],
    ['that is too long', 'a'.repeat(33)],
    ['that is empty', ''],
    ['with a space inside', 'ann lee'],
    ['with an "@"', 'ann@lee'],
    ['with a "/"', 'ann/lee'],
    ['with a "%"', 'ann%lee'],
    ['with a non-ASCII letter', 'änn.lee'],
    ['that is a number', 12345],
    ['that is null', null],
  ])('refuses a username %s with 400', async (_what, username) => {
    expectError(await register({ username }), 400, 'username');
  });

  it('refuses a username taken in another letter case with 409, keeping one account', async () => {
    const username = uniqueUsername('taken');
    await register({ username }).expect(201);

    const response = await register({
      username: username.toUpperCase(),
      password: 'another password',
    });

    expectError(response, 409, 'username');
    expect(await usersNamed(username)).toBe(1);
    await login(t, username);
  });

  it('lets exactly one of 20 simultaneous sign-ups of one name in 20 letter cases win', async () => {
    const spellings = letterCases(uniqueUsername('racecase'), 20);
    expect(new Set(spellings).size).toBe(20);

    const responses = await Promise.all(spellings.map((username) => register({ username })));

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
    for (const response of responses.filter(({ status }) => status === 409)) {
      expectError(response, 409, 'username');
    }
    expect(await usersNamed(spellings[0])).toBe(1);
  });
});

describe('POST /api/auth/register: passwords', () => {
  it.each([
    [7, 400],
    [8, 201],
    [128, 201],
    [129, 400],
  ])('answers a password of %i characters with %i', async (length, status) => {
    const username = uniqueUsername('pw');

    const response = await register({ username, password: 'p'.repeat(length) });

    expect(response.status).toBe(status);
    if (status === 201) await login(t, username, 'p'.repeat(length));
    else expectError(response, 400, 'password');
  });

  it.each([
    ['missing', undefined],
    ['a number', 123456789],
  ])('refuses a password that is %s with 400', async (_what, password) => {
    expectError(await register({ username: uniqueUsername('pw'), password }), 400, 'password');
  });
});

describe('POST /api/auth/register: drivers', () => {
  it.each(['make', 'model', 'licensePlate'])(
    'refuses a driver without %s with 400 and creates no account',
    async (field) => {
      const username = uniqueUsername('novehicle');

      expectError(await registerDriver({ username, [field]: undefined }), 400, field);

      expect(await usersNamed(username)).toBe(0);
    },
  );

  it.each(['make', 'model', 'licensePlate'])(
    'refuses a driver whose %s is blank',
    async (field) => {
      expectError(
        await registerDriver({ username: uniqueUsername('blank'), [field]: '   ' }),
        400,
        field,
      );
    },
  );

  it.each([
    ['in another letter case', (plate: string) => plate.toLowerCase()],
    ['with spaces around it', (plate: string) => `  ${plate.toLowerCase()}  `],
  ])(
    'refuses a licence plate already registered, sent %s, with 409 and no half-created user',
    async (_how, respell) => {
      const plate = `${uniquePlate()} AB`;
      await registerDriver({ username: uniqueUsername('first'), licensePlate: plate }).expect(201);
      const username = uniqueUsername('second');

      const response = await registerDriver({ username, licensePlate: respell(plate) });

      expectError(response, 409, 'licensePlate');
      expect(await usersNamed(username)).toBe(0);
      expectError(await attemptLogin(username), 401);
      expect((await registerDriver({ username })).status).toBe(201);
    },
  );

  it.each([
    ['that does not exist', 999],
    ['that is not an integer', 1.5],
    ['given as a string', '2'],
  ])('refuses a driver with a serviceTypeId %s with 400', async (_what, serviceTypeId) => {
    const username = uniqueUsername('badtype');

    expectError(await registerDriver({ username, serviceTypeId }), 400, 'serviceTypeId');

    expect(await usersNamed(username)).toBe(0);
  });

  it('stores a driver’s profile with the user, with the plate upper-cased', async () => {
    const plate = `${uniquePlate()} ab`;
    const username = uniqueUsername('driver');
    await registerDriver({ username, licensePlate: plate, serviceTypeId: 3 }).expect(201);

    const driver = await login(t, username);

    expect(await me(driver)).toMatchObject({
      roleId: DRIVER,
      profile: { licensePlate: plate.toUpperCase(), serviceTypeId: 3, isOnline: false },
    });
  });
});

describe('POST /api/auth/login', () => {
  it('logs in by username in any letter case', async () => {
    const username = uniqueUsername('Mixed.Case');
    await register({ username }).expect(201);

    const lower = await login(t, username.toLowerCase());
    const upper = await login(t, username.toUpperCase());

    expect(lower.id).toEqual(expect.any(Number));
    expect(upper.id).toBe(lower.id);
  });

  it('ignores spaces around the username', async () => {
    const rider = await createRider(t);

    expect((await login(t, ` ${rider.username} `)).id).toBe(rider.id);
  });

  it('answers an unknown user and a wrong password with the same 401 body', async () => {
    const rider = await createRider(t);

    const unknown = await attemptLogin(uniqueUsername('nobody'));
    const wrong = await attemptLogin(rider.username, 'not the password');

    expectError(unknown, 401);
    expectError(wrong, 401);
    // Alike but for the id of each request.
    expect({ ...wrong.body, requestId: 'same' }).toEqual({ ...unknown.body, requestId: 'same' });
  });

  it('checks the password case-sensitively', async () => {
    const rider = await createRider(t);

    expectError(await attemptLogin(rider.username, PASSWORD.toUpperCase()), 401);
  });

  it('treats "%" and "_" as themselves, not as wildcards', async () => {
    const stem = uniqueUsername('ann');
    await register({ username: `${stem}_x` }).expect(201);

    for (const guess of [`${stem}%`, `${stem}__`, `${stem}_%`, `${stem.slice(0, -1)}_\\_x`]) {
      expectError(await attemptLogin(guess), 401);
    }
    await login(t, `${stem}_X`);
  });
});

describe('POST /api/auth/login: long passwords from the original server', () => {
  /** An account as the original server stored it: any password length, bcrypt (cost 4 for speed). */
  async function originalAccount(password: string): Promise<string> {
    const username = uniqueUsername('legacy');
    await t.sequelize.query(
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       VALUES (:username, :hash, 1, now(), now())`,
      { replacements: { username, hash: bcrypt.hashSync(password, 4) } },
    );
    return username;
  }

  const passwordOf = (length: number) =>
    Array.from({ length }, (_, index) => 'abcdefghij'[index % 10]).join('');

  it.each([129, 1_000, 60_000])(
    'logs in with a %i-character password, before and after its hash is replaced',
    async (length) => {
      const password = passwordOf(length);
      const username = await originalAccount(password);

      expect((await attemptLogin(username, password)).status).toBe(200);
      const [[row]] = await t.sequelize.query(
        `SELECT password LIKE '$argon2id$%' AS rehashed FROM "Users" WHERE username = :username`,
        { replacements: { username } },
      );
      expect(row).toEqual({ rehashed: true });
      expect((await attemptLogin(username, password)).status).toBe(200);
      expectError(await attemptLogin(username, `${password}x`), 401);
    },
  );

  it('changes such a password on PATCH /api/users/me given the long one as currentPassword', async () => {
    const password = passwordOf(300);
    const account = await login(t, await originalAccount(password), password);

    const response = await t.http
      .patch('/api/users/me')
      .set('Authorization', bearer(account))
      .send({ password: 'a shorter new password', currentPassword: password });

    expect(response.status).toBe(200);
    await login(t, account.username, 'a shorter new password');
  });

  it('still refuses an empty password with 400', async () => {
    expectError(await attemptLogin(uniqueUsername('nobody'), ''), 400, 'password');
  });
});

describe('access tokens on GET /api/auth/secure-route', () => {
  const refused: [string, (rider: Account) => string | undefined][] = [
    ['no Authorization header', () => undefined],
    ['an empty bearer', () => 'Bearer '],
    ['the token without "Bearer"', (rider) => rider.accessToken],
    ['garbage', () => 'Bearer not-a-token'],
    ['three garbage segments', () => 'Bearer aaa.bbb.ccc'],
    [
      'a token signed with another secret',
      (rider) => `Bearer ${signJwt(claimsOf(rider), OTHER_SECRET)}`,
    ],
    [
      'an expired token',
      (rider) =>
        `Bearer ${signJwt(claimsOf(rider, { iat: nowInSeconds() - 1000, exp: nowInSeconds() - 60 }), JWT_SECRET)}`,
    ],
    ['an alg "none" token', (rider) => `Bearer ${unsignedJwt(claimsOf(rider))}`],
    [
      'an alg "none" token claiming admin',
      () => `Bearer ${unsignedJwt({ sub: String(adminId), userId: adminId, roleId: ADMIN })}`,
    ],
    [
      'a token whose payload was changed to roleId 3, keeping its signature',
      (rider) => `Bearer ${withPayload(rider.accessToken, { roleId: ADMIN })}`,
    ],
    [
      'a token whose payload was changed to the admin’s id, keeping its signature',
      (rider) =>
        `Bearer ${withPayload(rider.accessToken, { userId: adminId, sub: String(adminId) })}`,
    ],
    [
      'an HS512 token signed with the right secret',
      (rider) => `Bearer ${signJwt(claimsOf(rider), JWT_SECRET, 'HS512')}`,
    ],
    ['a refresh token', (rider) => `Bearer ${rider.refreshToken}`],
    [
      'a token signed with the server’s secret but without exp',
      (rider) => `Bearer ${signJwt(claimsOf(rider, { exp: undefined }), JWT_SECRET)}`,
    ],
    [
      'a token signed with the server’s secret but without iat',
      (rider) => `Bearer ${signJwt(claimsOf(rider, { iat: undefined }), JWT_SECRET)}`,
    ],
    [
      'a token issued 2 minutes in the future',
      (rider) => {
        const iat = nowInSeconds() + 120;
        return `Bearer ${signJwt(claimsOf(rider, { iat, exp: iat + 900 }), JWT_SECRET)}`;
      },
    ],
    [
      'a token not valid before 2 minutes from now',
      (rider) => `Bearer ${signJwt(claimsOf(rider, { nbf: nowInSeconds() + 120 }), JWT_SECRET)}`,
    ],
    [
      'a token valid for ten years',
      (rider) =>
        `Bearer ${signJwt(claimsOf(rider, { exp: nowInSeconds() + 10 * 365 * 24 * 3600 }), JWT_SECRET)}`,
    ],
    [
      'a token whose exp is a string',
      (rider) => `Bearer ${signJwt(claimsOf(rider, { exp: 'never' }), JWT_SECRET)}`,
    ],
  ];

  it.each(refused)('refuses %s with 401', async (_what, authorization) => {
    const rider = await createRider(t);

    expectError(await secureRoute(authorization(rider)), 401);
  });

  it('accepts the token from login and one signed with the server’s secret', async () => {
    const rider = await createRider(t);

    expect((await secureRoute(bearer(rider))).status).toBe(200);
    expect((await secureRoute(`Bearer ${signJwt(claimsOf(rider), JWT_SECRET)}`)).status).toBe(200);
  });

  it('accepts iat and nbf up to a few seconds ahead of the server’s clock', async () => {
    const rider = await createRider(t);
    const iat = nowInSeconds() + 10;
    const ahead = signJwt(claimsOf(rider, { iat, nbf: iat, exp: iat + 900 }), JWT_SECRET);

    expect((await secureRoute(`Bearer ${ahead}`)).status).toBe(200);
  });

  it('takes the caller’s role from the database, not from a validly signed claim', async () => {
    const rider = await createRider(t);
    const claimingAdmin = signJwt(claimsOf(rider, { roleId: ADMIN }), JWT_SECRET);

    const response = await t.http.get('/api/users').set('Authorization', `Bearer ${claimingAdmin}`);

    expectError(response, 403);
    expect((await t.admin.get('/api/users')).status).toBe(200);
  });

  it('refuses an access token sent to /api/auth/refresh with 401', async () => {
    const rider = await createRider(t);

    expectError(await refresh(rider.accessToken), 401);
  });

  it.each([
    ['rider', createRider],
    ['driver', (app: TestApp) => createDriver(app, { online: true })],
  ])('refuses every token of a %s the admin deleted', async (_role, create) => {
    const account = await create(t);
    expect((await secureRoute(bearer(account))).status).toBe(200);

    await t.admin.delete(`/api/users/${account.id}`).expect(204);

    expectError(await secureRoute(bearer(account)), 401);
    expectError(await t.http.get('/api/auth/me').set('Authorization', bearer(account)), 401);
    expectError(await refresh(account.refreshToken), 401);
    expectError(await attemptLogin(account.username), 401);
  });
});

describe('POST /api/auth/refresh', () => {
  /** Moves a user's rotations back beyond the reuse interval (10 s by default). */
  const ageRotations = (userId: number) =>
    t.sequelize.query(
      `UPDATE "Sessions" SET "revokedAt" = "revokedAt" - interval '1 minute'
       WHERE "userId" = :userId AND "revokedAt" IS NOT NULL`,
      { replacements: { userId } },
    );

  it('keeps the refresh token valid and returns no new one unless rotation is asked for', async () => {
    const rider = await createRider(t);

    const first = await refresh(rider.refreshToken);
    const second = await refresh(rider.refreshToken, false);

    for (const response of [first, second]) {
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ success: true, accessToken: expect.any(String) });
    }
  });

  it('rotates on request: a new refresh token that works, while the old one is refused after the reuse interval', async () => {
    const rider = await createRider(t);

    const rotated = await refresh(rider.refreshToken, true);

    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({
      success: true,
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });
    const next = rotated.body.refreshToken as string;
    expect(next).not.toBe(rider.refreshToken);
    const used = await refresh(next);
    expect(used.status).toBe(200);
    expect((await secureRoute(`Bearer ${used.body.accessToken}`)).status).toBe(200);
    await ageRotations(rider.id);
    expectError(await refresh(rider.refreshToken), 401);
  });

  it('ends the whole login when a rotated-away token is presented after the reuse interval', async () => {
    const rider = await createRider(t);
    const second = (await refresh(rider.refreshToken, true).expect(200)).body
      .refreshToken as string;
    const third = (await refresh(second, true).expect(200)).body.refreshToken as string;
    await ageRotations(rider.id);

    expectError(await refresh(rider.refreshToken), 401);

    expectError(await refresh(third), 401);
    expectError(await refresh(third, true), 401);
    expectError(await refresh(second), 401);
  });

  it('gives ten simultaneous rotations of one token 200 and the same new refresh token (3 rounds)', async () => {
    const rider = await createRider(t);

    for (let round = 0; round < 3; round += 1) {
      const session = await login(t, rider.username);

      const responses = await Promise.all(
        Array.from({ length: 10 }, () => refresh(session.refreshToken, true)),
      );

      expect(responses.map(({ status }) => status)).toEqual(Array(10).fill(200));
      const successors = new Set(responses.map(({ body }) => body.refreshToken as string));
      expect(successors.size).toBe(1);
      const [successor] = successors;
      expect(successor).not.toBe(session.refreshToken);
      for (const { body } of responses) {
        expect((await secureRoute(`Bearer ${body.accessToken}`)).status).toBe(200);
      }
      // The login goes on: the successor rotates in turn and its own successor works.
      const next = (await refresh(successor, true).expect(200)).body.refreshToken as string;
      expect((await refresh(next)).status).toBe(200);
    }
  });

  it('answers a retried rotation within the reuse interval with the same successor', async () => {
    const rider = await createRider(t);

    const first = await refresh(rider.refreshToken, true).expect(200);
    const retried = await refresh(rider.refreshToken, true).expect(200);
    const plain = await refresh(rider.refreshToken).expect(200);

    expect(retried.body.refreshToken).toBe(first.body.refreshToken);
    expect(plain.body).toEqual({ success: true, accessToken: expect.any(String) });
    expect((await refresh(first.body.refreshToken as string)).status).toBe(200);
  });

  it('refuses the rotated token within the interval once its successor is logged out', async () => {
    const rider = await createRider(t);
    const successor = (await refresh(rider.refreshToken, true).expect(200)).body
      .refreshToken as string;

    await t.http.post('/api/auth/logout').send({ refreshToken: successor }).expect(200);

    expectError(await refresh(rider.refreshToken, true), 401);
    expectError(await refresh(rider.refreshToken), 401);
  });

  it('leaves another login of the same user alone when one login’s token is reused', async () => {
    const rider = await createRider(t);
    const otherLogin = await login(t, rider.username);
    await refresh(rider.refreshToken, true).expect(200);
    await ageRotations(rider.id);

    expectError(await refresh(rider.refreshToken), 401);

    expect((await refresh(otherLogin.refreshToken)).status).toBe(200);
    expect((await refresh(otherLogin.refreshToken, true)).status).toBe(200);
  });

  it('keeps a refresh token for 7 days and refuses it once it has expired', async () => {
    const rider = await createRider(t);
    const [rows] = await t.sequelize.query(
      `SELECT extract(epoch FROM "expiresAt" - "createdAt")::int AS lifetime
         FROM "Sessions" WHERE "userId" = :userId`,
      { replacements: { userId: rider.id } },
    );
    expect((rows as { lifetime: number }[])[0].lifetime).toBe(7 * 24 * 3600);

    await t.sequelize.query(
      `UPDATE "Sessions" SET "expiresAt" = now() - interval '1 second' WHERE "userId" = :userId`,
      { replacements: { userId: rider.id } },
    );

    expectError(await refresh(rider.refreshToken), 401);
    expectError(await refresh(rider.refreshToken, true), 401);
  });

  it('refuses rotate that is not a boolean with 400', async () => {
    const rider = await createRider(t);

    const response = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken: rider.refreshToken, rotate: 'yes' });

    expectError(response, 400, 'rotate');
  });

  it('issues opaque refresh tokens of at least 256 bits and keeps only their SHA-256 digest', async () => {
    const rider = await createRider(t);
    expect(rider.refreshToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);

    const [rows] = await t.sequelize.query(
      `SELECT "tokenHash" FROM "Sessions" WHERE "userId" = :userId`,
      { replacements: { userId: rider.id } },
    );

    const digest = createHash('sha256').update(rider.refreshToken).digest('hex');
    expect(rows).toEqual([{ tokenHash: digest }]);
  });
});

describe('POST /api/auth/logout', () => {
  it('ends that login: its refresh token is refused, another login keeps working', async () => {
    const rider = await createRider(t);
    const otherLogin = await login(t, rider.username);

    const response = await t.http
      .post('/api/auth/logout')
      .send({ refreshToken: rider.refreshToken });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: true, message: expect.any(String) });
    expectError(await refresh(rider.refreshToken), 401);
    expectError(await refresh(rider.refreshToken, true), 401);
    expect((await refresh(otherLogin.refreshToken)).status).toBe(200);
  });

  it('ends the tokens a login rotated to as well', async () => {
    const rider = await createRider(t);
    const rotated = (await refresh(rider.refreshToken, true).expect(200)).body
      .refreshToken as string;

    await t.http.post('/api/auth/logout').send({ refreshToken: rotated }).expect(200);

    expectError(await refresh(rotated), 401);
  });
});

describe('PATCH /api/users/me', () => {
  const changePassword = (account: Account, fields: Record<string, unknown>) =>
    t.http.patch('/api/users/me').set('Authorization', bearer(account)).send(fields);

  it('changes the password and ends every login of the user', async () => {
    const rider = await createRider(t);
    const otherLogin = await login(t, rider.username);

    const response = await changePassword(rider, {
      password: 'a brand new password',
      currentPassword: PASSWORD,
    });

    expect(response.status).toBe(200);
    expectError(await refresh(rider.refreshToken), 401);
    expectError(await refresh(otherLogin.refreshToken), 401);
    expectError(await attemptLogin(rider.username), 401);
    await login(t, rider.username, 'a brand new password');
  });

  it('refuses a wrong currentPassword with 400 and changes nothing', async () => {
    const rider = await createRider(t);

    const response = await changePassword(rider, {
      password: 'a brand new password',
      currentPassword: 'not my password',
    });

    expectError(response, 400, 'currentPassword');
    expect((await refresh(rider.refreshToken)).status).toBe(200);
    await login(t, rider.username);
    expectError(await attemptLogin(rider.username, 'a brand new password'), 401);
  });

  it('refuses a new password without currentPassword with 400', async () => {
    const rider = await createRider(t);

    const response = await changePassword(rider, { password: 'a brand new password' });

    expectError(response, 400, 'currentPassword');
    await login(t, rider.username);
  });

  it('refuses a roleId with 400 and leaves the role as it was', async () => {
    const rider = await createRider(t);

    expectError(await changePassword(rider, { roleId: ADMIN }), 400, 'roleId');

    expect(await me(rider)).toMatchObject({ roleId: RIDER, role: { id: RIDER, name: 'rider' } });
    expect((await login(t, rider.username)).roleId).toBe(RIDER);
    expectError(await t.http.get('/api/users').set('Authorization', bearer(rider)), 403);
  });
});

describe('GET /api/auth/me', () => {
  it('returns a rider with their role and no driver profile, and never a password', async () => {
    const rider = await createRider(t);

    const body = await me(rider);

    expect(body).toEqual({
      id: rider.id,
      username: rider.username,
      roleId: RIDER,
      role: { id: RIDER, name: 'rider' },
      profile: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(body)).not.toMatch(/password/i);
  });

  it('returns a driver with their profile and its service type, and never a password', async () => {
    const driver = await createDriver(t, { serviceTypeId: 2 });

    const body = await me(driver);

    expect(body).toMatchObject({
      id: driver.id,
      username: driver.username,
      roleId: DRIVER,
      role: { id: DRIVER, name: 'driver' },
      profile: {
        userId: driver.id,
        make: 'Toyota',
        model: 'Prius',
        licensePlate: expect.any(String),
        isOnline: false,
        serviceTypeId: 2,
        serviceType: {
          id: 2,
          name: 'SwiftRide SUV',
          baseFare: 5,
          perMileRate: 2,
          perMinuteRate: 0.35,
          maxPassengers: 6,
        },
      },
    });
    expect(JSON.stringify(body)).not.toMatch(/password/i);
  });

  it('refuses a request without a token with 401', async () => {
    expectError(await t.http.get('/api/auth/me'), 401);
  });
});

// Runs last on purpose: it looks at every response the tests above received.
describe('every response of this file', () => {
  it('never contained a refresh-token digest', async () => {
    const [rows] = await t.sequelize.query(`SELECT "tokenHash" FROM "Sessions"`);
    const digests = (rows as { tokenHash: string }[]).map((row) => row.tokenHash);
    expect(digests.length).toBeGreaterThan(50);
    expect(t.bodies.length).toBeGreaterThan(200);

    const leaked = t.bodies.filter((body) => digests.some((digest) => body.includes(digest)));

    expect(leaked).toEqual([]);
  });
});
