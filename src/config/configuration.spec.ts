import { loadConfig } from './configuration';

describe('loadConfig', () => {
  it('serves on port 8080 with a 100 kB body limit and the embedded database by default', () => {
    const config = loadConfig({});
    expect(config.http.port).toBe(8080);
    expect(config.http.bodyLimitBytes).toBe(100 * 1024);
    expect(config.database.url).toBeUndefined();
    expect(config.database.embeddedPort).toBe(54329);
    expect(config.database.embeddedDataDir).toMatch(/\.data\/postgres$/);
  });

  it('logs one line per request in production only, unless told otherwise', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).http.logRequests).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).http.logRequests).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', LOG_REQUESTS: 'false' }).http.logRequests).toBe(
      false,
    );
  });

  it('reads CORS origins as a comma-separated list', () => {
    expect(
      loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example,' }).http.corsOrigins,
    ).toEqual(['https://a.example', 'https://b.example']);
  });

  it('refuses to boot with a clear message on invalid values', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/Invalid configuration[\s\S]*PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL must be a postgres/,
    );
    expect(() => loadConfig({ NODE_ENV: 'staging' })).toThrow(/NODE_ENV/);
  });
});
