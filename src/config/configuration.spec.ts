import { availableParallelism } from 'node:os';
import { loadConfig } from './configuration';

const STRONG_SECRET = 'k3J9x2Qm8vLp4Rt7Wz1Ns6Yb0Hd5Fg2Cq9Ue4Ta8Mo';
const production = (env: Record<string, string> = {}) =>
  loadConfig({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET, ...env });

describe('loadConfig', () => {
  it('serves on port 8080 with a 100 kB body limit and the embedded database by default', () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    expect(config.http.port).toBe(8080);
    expect(config.http.bodyLimitBytes).toBe(100 * 1024);
    expect(config.database.url).toBeUndefined();
    expect(config.database.embeddedPort).toBe(54329);
    expect(config.database.embeddedDataDir).toMatch(/\.data\/postgres$/);
  });

  it('logs one line per request in production only, unless told otherwise', () => {
    expect(production().http.logRequests).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).http.logRequests).toBe(false);
    expect(production({ LOG_REQUESTS: 'false' }).http.logRequests).toBe(false);
  });

  it('reads CORS origins as a comma-separated list', () => {
    expect(
      loadConfig({ NODE_ENV: 'test', CORS_ORIGINS: 'https://a.example, https://b.example,' }).http
        .corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it('refuses to boot with a clear message on invalid values', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', PORT: 'eighty' })).toThrow(
      /Invalid configuration[\s\S]*PORT/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL must be a postgres/,
    );
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV/);
  });

  it('exposes no metrics by default, and a metrics port on loopback when asked', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).metrics).toEqual({
      port: undefined,
      host: '127.0.0.1',
      token: undefined,
    });
    expect(loadConfig({ NODE_ENV: 'test', METRICS_PORT: '9464' }).metrics.port).toBe(9464);
  });

  it('refuses a metrics token too short to be a secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', METRICS_TOKEN: 'metrics' })).toThrow(
      /METRICS_TOKEN must be at least 32 characters/,
    );
    const token = 'f'.repeat(16) + '0123456789abcdef';
    expect(loadConfig({ NODE_ENV: 'test', METRICS_TOKEN: token }).metrics.token).toBe(token);
  });

  it('refuses to start in production without a strong JWT_SECRET', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET must be set/);
    expect(() => production({ JWT_SECRET: 'short' })).toThrow(/at least 32 random characters/);
    expect(() => production({ JWT_SECRET: 'change-me-change-me-change-me-change-me' })).toThrow(
      /not a placeholder/,
    );
    expect(() => production({ JWT_SECRET: 'a'.repeat(40) })).toThrow(
      /at least 32 random characters/,
    );
    expect(production().auth.jwtSecret).toBe(STRONG_SECRET);
  });

  it('gives each test run a fresh random secret when none is set', () => {
    const first = loadConfig({ NODE_ENV: 'test' }).auth.jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ NODE_ENV: 'test' }).auth.jwtSecret).not.toBe(first);
  });

  it("hashes on every core but one, within libuv's thread pool, and queues 32 per slot", () => {
    const cores = availableParallelism();
    const expected = Math.max(1, Math.min(cores - 1, 3));
    expect(loadConfig({ NODE_ENV: 'test' }).hashing).toEqual({
      concurrency: expected,
      queueMax: 32 * expected,
    });
    expect(
      loadConfig({ NODE_ENV: 'test', HASH_CONCURRENCY: '2', HASH_QUEUE_MAX: '0' }).hashing,
    ).toEqual({ concurrency: 2, queueMax: 0 });
    expect(
      loadConfig({ NODE_ENV: 'test', HASH_CONCURRENCY: '7', UV_THREADPOOL_SIZE: '8' }).hashing,
    ).toEqual({ concurrency: 7, queueMax: 224 });
  });

  it("refuses hashing limits that are not positive, or that would fill libuv's thread pool", () => {
    expect(() => loadConfig({ NODE_ENV: 'test', HASH_CONCURRENCY: '0' })).toThrow(
      /HASH_CONCURRENCY/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', HASH_QUEUE_MAX: '-1' })).toThrow(/HASH_QUEUE_MAX/);
    expect(() => loadConfig({ NODE_ENV: 'test', HASH_CONCURRENCY: '4' })).toThrow(
      /HASH_CONCURRENCY \(4\) must be at most 3 with UV_THREADPOOL_SIZE=4/,
    );
  });

  it('issues 15-minute access tokens and 7-day refresh tokens by default', () => {
    const { auth } = loadConfig({ NODE_ENV: 'test' });
    expect(auth.accessTokenTtlSeconds).toBe(900);
    expect(auth.refreshTokenTtlDays).toBe(7);
  });

  it('replaces legacy password hashes unless LEGACY_PASSWORD_HASHES=keep', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).auth.keepLegacyPasswordHashes).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'test', LEGACY_PASSWORD_HASHES: 'keep' }).auth
        .keepLegacyPasswordHashes,
    ).toBe(true);
    expect(() => loadConfig({ NODE_ENV: 'test', LEGACY_PASSWORD_HASHES: 'yes' })).toThrow(
      /LEGACY_PASSWORD_HASHES must be rehash or keep/,
    );
  });

  it('dispatches in ranked batches by default, and refuses radius steps out of order', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).dispatch).toEqual({
      mode: 'ranked',
      batchSize: 3,
      offerSeconds: 15,
      radiusStepsKm: [2, 5, 10],
      windowMs: 1000,
      maxMissedOffers: 3,
      tickMs: 1000,
    });
    expect(
      loadConfig({ NODE_ENV: 'test', DISPATCH_RADIUS_STEPS_KM: ' 1.5, 4 ' }).dispatch.radiusStepsKm,
    ).toEqual([1.5, 4]);
    expect(() => loadConfig({ NODE_ENV: 'test', DISPATCH_RADIUS_STEPS_KM: '5,2' })).toThrow(
      /DISPATCH_RADIUS_STEPS_KM must be ascending/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', DISPATCH_RADIUS_STEPS_KM: 'far' })).toThrow(
      /DISPATCH_RADIUS_STEPS_KM must be a comma-separated list/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', DISPATCH_MODE: 'auction' })).toThrow(
      /DISPATCH_MODE must be ranked or broadcast/,
    );
  });
});
