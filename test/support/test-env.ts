/** What global-setup hands to every test file, through the environment of the worker processes. */
export const TEST_ENV = {
  adminUrl: 'SWIFTRIDE_TEST_ADMIN_URL',
  template: 'SWIFTRIDE_TEST_TEMPLATE',
  runId: 'SWIFTRIDE_TEST_RUN',
} as const;

export function requireTestEnv(key: keyof typeof TEST_ENV): string {
  const value = process.env[TEST_ENV[key]];
  if (!value) throw new Error(`${TEST_ENV[key]} is not set: run e2e tests through jest (npm test)`);
  return value;
}

/** The same server as `url`, another database. */
export function databaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
