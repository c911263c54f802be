import { withClient } from './postgres';
import { requireTestEnv } from './test-env';

/** Drops every database this run created, then stops the throwaway cluster if there is one. */
export default async function globalTeardown(): Promise<void> {
  const adminUrl = requireTestEnv('adminUrl');
  const runId = requireTestEnv('runId');
  await withClient(adminUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${runId}%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
  await globalThis.__SWIFTRIDE_EMBEDDED__?.stop();
}
