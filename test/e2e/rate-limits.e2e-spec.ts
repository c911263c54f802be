/**
 * Limits on login, register, refresh and logout: per client (and username for login), shared via Redis.
 *
 * @seconds 12
 */
import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { login, PASSWORD, uniqueUsername } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';

const LIMIT = 3;
const LIMITS = {
  LOGIN_ATTEMPTS_PER_MINUTE: String(LIMIT),
  REGISTRATIONS_PER_MINUTE: String(LIMIT),
  REFRESHES_PER_MINUTE: String(LIMIT),
  LOGOUTS_PER_MINUTE: String(LIMIT),
};
const REDIS_URL = 'redis://127.0.0.1:6379';

/** Each test gets apps of its own, so no test inherits another's counters. */
async function withApps(
  count: number,
  env: Record<string, string>,
  work: (...apps: TestApp[]) => Promise<void>,
): Promise<void> {
  const apps: TestApp[] = [];
  try {
    for (let index = 0; index < count; index += 1) apps.push(await createTestApp(env));
    await work(...apps);
  } finally {
    for (const app of apps) await app.close();
  }
}

function expectThrottled(response: Response): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({
    success: false,
    statusCode: 429,
    error: 'Too Many Requests',
    code: 'RATE_LIMITED',
    message: expect.any(String),
    requestId: response.headers['x-request-id'],
  });
  const retryAfter = response.headers['retry-after'];
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

async function registerRider(t: TestApp, username = uniqueUsername('rider')): Promise<Response> {
  return t.http.post('/api/auth/register').send({ username, password: PASSWORD, roleId: 1 });
}

const attemptLogin = (t: TestApp, username: string, password = 'not-the-password') =>
  t.http.post('/api/auth/login').send({ username, password });

describe('rate limits (3 a minute)', () => {
  it('refuses the 4th login attempt for one username, even with the right password', () =>
    withApps(1, LIMITS, async (t) => {
      const victim = uniqueUsername('victim');
      expect((await registerRider(t, victim)).status).toBe(201);

      for (let attempt = 1; attempt <= LIMIT; attempt += 1) {
        expect((await attemptLogin(t, victim)).status).toBe(401);
      }

      expectThrottled(await attemptLogin(t, victim, PASSWORD));
    }));

  it('lets another username from the same client log in while one username is throttled', () =>
    withApps(1, LIMITS, async (t) => {
      const victim = uniqueUsername('victim');
      const bystander = uniqueUsername('bystander');
      expect((await registerRider(t, bystander)).status).toBe(201);
      for (let attempt = 1; attempt <= LIMIT + 1; attempt += 1) await attemptLogin(t, victim);
      expectThrottled(await attemptLogin(t, victim));

      const response = await attemptLogin(t, bystander, PASSWORD);

      expect(response.status).toBe(200);
      expect(response.body.success).toBe(true);
    }));

  it('counts login attempts for a username whatever its case and surrounding spaces', () =>
    withApps(1, LIMITS, async (t) => {
      const username = uniqueUsername('casey');
      const spellings = [username, username.toUpperCase(), ` ${username} `];

      for (const spelling of spellings) expect((await attemptLogin(t, spelling)).status).toBe(401);

      expectThrottled(await attemptLogin(t, `${username.toUpperCase()}  `));
    }));

  it('refuses the 4th registration from one client', () =>
    withApps(1, LIMITS, async (t) => {
      for (let registration = 1; registration <= LIMIT; registration += 1) {
        expect((await registerRider(t)).status).toBe(201);
      }

      const fourth = uniqueUsername('fourth');
      expectThrottled(await registerRider(t, fourth));
      expect((await attemptLogin(t, fourth, PASSWORD)).status).toBe(401);
    }));

  it('refuses the 4th refresh from one client', () =>
    withApps(1, LIMITS, async (t) => {
      const username = uniqueUsername('refresher');
      expect((await registerRider(t, username)).status).toBe(201);
      const { refreshToken } = await login(t, username);
      const refresh = () => t.http.post('/api/auth/refresh').send({ refreshToken });

      for (let attempt = 1; attempt <= LIMIT; attempt += 1) {
        expect((await refresh()).status).toBe(200);
      }

      expectThrottled(await refresh());
    }));

  it('refuses the 4th logout from one client, and ends no login then', () =>
    withApps(1, LIMITS, async (t) => {
      const username = uniqueUsername('leaver');
      expect((await registerRider(t, username)).status).toBe(201);
      const { refreshToken } = await login(t, username);
      const logout = (token: string) =>
        t.http.post('/api/auth/logout').send({ refreshToken: token });

      for (let attempt = 1; attempt <= LIMIT; attempt += 1) {
        expect((await logout(randomBytes(32).toString('base64url'))).status).toBe(200);
      }

      expectThrottled(await logout(refreshToken));
      expect((await t.http.post('/api/auth/refresh').send({ refreshToken })).status).toBe(200);
    }));
});

describe('rate limits shared through Redis', () => {
  /**
   * The machine's Redis, under a key prefix of this test's own: every createTestApp logs the same
   * test admin in, and those logins would otherwise add up across tests and runs.
   */
  const redisLimits = () => ({
    ...LIMITS,
    REDIS_URL: `${REDIS_URL}/0?keyPrefix=swiftride-test-${randomBytes(6).toString('hex')}:`,
  });
  const unseenUsername = () => `shared-${randomBytes(6).toString('hex')}`;

  it('counts login attempts on two instances together: 2 + 2 → the 4th is refused', () =>
    withApps(2, redisLimits(), async (first, second) => {
      const username = unseenUsername();

      expect((await attemptLogin(first, username)).status).toBe(401);
      expect((await attemptLogin(first, username)).status).toBe(401);
      expect((await attemptLogin(second, username)).status).toBe(401);

      expectThrottled(await attemptLogin(second, username));
      expectThrottled(await attemptLogin(first, username));
    }));

  it('still keeps each username’s count apart when the counters live in Redis', () =>
    withApps(2, redisLimits(), async (first, second) => {
      const throttled = unseenUsername();
      const other = unseenUsername();
      for (let attempt = 1; attempt <= LIMIT; attempt += 1) await attemptLogin(first, throttled);
      expectThrottled(await attemptLogin(second, throttled));

      expect((await attemptLogin(second, other)).status).toBe(401);
    }));
});
