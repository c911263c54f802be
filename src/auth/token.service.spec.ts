import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import type { AuthConfig } from '../config/configuration';
import { TokenService } from './token.service';

/** A verified token is remembered; its lifetime is still checked against the clock every time. */

const TTL_SECONDS = 60;
const auth: AuthConfig = {
  jwtSecret: 'a-long-enough-test-secret-for-hs256-tokens',
  accessTokenTtlSeconds: TTL_SECONDS,
  refreshTokenTtlDays: 1,
  refreshReuseIntervalSeconds: 10,
  keepLegacyPasswordHashes: false,
};

function tokenService(): TokenService {
  return new TokenService(new JwtService({}), new ConfigService({ auth }));
}

const start = new Date('2026-12-01T12:00:00Z');

beforeEach(() => jest.useFakeTimers({ now: start, doNotFake: ['nextTick', 'setImmediate'] }));
afterEach(() => jest.useRealTimers());

describe('TokenService.signAccessToken', () => {
  it('writes the token jsonwebtoken writes for the same claims at the same second', async () => {
    const tokens = tokenService();
    const jwt = new JwtService({});
    for (const [id, roleId] of [
      [7, 1],
      [123456, 3],
    ]) {
      const token = tokens.signAccessToken({ id, roleId });
      const expected = await jwt.signAsync(
        { sub: String(id), userId: id, roleId },
        { secret: auth.jwtSecret, algorithm: 'HS256', expiresIn: TTL_SECONDS },
      );
      expect(token).toBe(expected);
      expect(await jwt.verifyAsync(token, { secret: auth.jwtSecret })).toEqual({
        sub: String(id),
        userId: id,
        roleId,
        iat: start.getTime() / 1000,
        exp: start.getTime() / 1000 + TTL_SECONDS,
      });
    }
  });
});

describe('TokenService.verifyAccessToken', () => {
  it('accepts the same token again while it lives', async () => {
    const tokens = tokenService();
    const token = tokens.signAccessToken({ id: 7, roleId: 1 });
    expect(await tokens.verifyAccessToken(token)).toMatchObject({ userId: 7, roleId: 1 });
    jest.setSystemTime(start.getTime() + (TTL_SECONDS - 1) * 1000);
    expect(await tokens.verifyAccessToken(token)).toMatchObject({ userId: 7, roleId: 1 });
  });

  it('refuses a token it accepted before, from the second it expires', async () => {
    const tokens = tokenService();
    const token = tokens.signAccessToken({ id: 7, roleId: 1 });
    expect(await tokens.verifyAccessToken(token)).toBeDefined();
    jest.setSystemTime(start.getTime() + TTL_SECONDS * 1000);
    expect(await tokens.verifyAccessToken(token)).toBeUndefined();
    jest.setSystemTime(start.getTime());
    expect(await tokens.verifyAccessToken(token)).toBeDefined();
  });

  it('refuses a remembered token with one character of its signature changed', async () => {
    const tokens = tokenService();
    const token = tokens.signAccessToken({ id: 7, roleId: 1 });
    expect(await tokens.verifyAccessToken(token)).toBeDefined();
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    const forged = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    expect(await tokens.verifyAccessToken(forged)).toBeUndefined();
  });

  it('refuses a token signed with another key, however often it is sent', async () => {
    const other = new TokenService(
      new JwtService({}),
      new ConfigService({ auth: { ...auth, jwtSecret: 'another-long-enough-secret-for-hs256' } }),
    );
    const token = other.signAccessToken({ id: 7, roleId: 1 });
    const tokens = tokenService();
    expect(await tokens.verifyAccessToken(token)).toBeUndefined();
    expect(await tokens.verifyAccessToken(token)).toBeUndefined();
  });
});

describe('TokenService.recall', () => {
  it('knows only tokens verified before, and forgets one once it has expired', async () => {
    const tokens = tokenService();
    const token = tokens.signAccessToken({ id: 7, roleId: 1 });
    expect(tokens.recall(token)).toBeUndefined();
    await tokens.verifyAccessToken(token);
    expect(tokens.recall(token)).toMatchObject({ userId: 7, roleId: 1 });

    jest.setSystemTime(start.getTime() + TTL_SECONDS * 1000);
    expect(tokens.recall(token)).toBeNull();
    jest.setSystemTime(start.getTime());
    // Forgotten: the next request checks the token again, and finds it valid at this time.
    expect(tokens.recall(token)).toBeUndefined();
    expect(await tokens.verifyAccessToken(token)).toBeDefined();
  });
});
