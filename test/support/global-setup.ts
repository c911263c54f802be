import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { transform } from '@swc/core';
import { join } from 'node:path';
import { migrateUp, runSeeders } from '../../db/migrator';
import { startEmbeddedPostgres, type RunningDatabase } from '../../src/database/embedded-postgres';
import { BUILT_FOR_RUN, buildApi, freePort } from './api-process';
import { createDatabase } from './database';
import { TEST_ENV } from './test-env';

declare global {
  var __SWIFTRIDE_EMBEDDED__: RunningDatabase | undefined;
}

/** A throwaway cluster for machines without a PostgreSQL of their own (TEST_DATABASE_URL unset). */
async function startThrowawayCluster(): Promise<RunningDatabase> {
  const folder = mkdtempSync(join(tmpdir(), 'swiftride-test-'));
  chmodSync(folder, 0o755); // PostgreSQL runs as its own OS user and must reach the data folder
  return startEmbeddedPostgres(
    { embeddedDataDir: join(folder, 'data'), embeddedPort: await freePort(), persistent: false },
    { log: () => undefined },
  );
}

/**
 * Once per run: pick the server, build a migrated + seeded template database. Every test file
 * then clones the template into a database of its own (see database.ts), so files run in parallel.
 */
export default async function globalSetup(config: { collectCoverage?: boolean }): Promise<void> {
  const coverage = config.collectCoverage ? compileCoveragePlugin() : undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    globalThis.__SWIFTRIDE_EMBEDDED__ = await startThrowawayCluster();
    adminUrl = globalThis.__SWIFTRIDE_EMBEDDED__.url;
  }
  const runId = `swiftride_test_${Date.now().toString(36)}_${process.pid}`;
  const template = `${runId}_template`;
  // Tests that run the API as a process of its own start it from dist/: build it once for all,
  // while PostgreSQL migrates the template (the build is CPU, the migrations mostly PostgreSQL).
  await Promise.all([createTemplate(adminUrl, template), buildApi()]);
  process.env[BUILT_FOR_RUN] = '1';

  process.env[TEST_ENV.adminUrl] = adminUrl;
  process.env[TEST_ENV.template] = template;
  process.env[TEST_ENV.runId] = runId;
  await coverage;
}

async function createTemplate(adminUrl: string, template: string): Promise<void> {
  const { url } = await createDatabase(adminUrl, template);
  await migrateUp(url);
  await runSeeders(url, {});
}

/**
 * Under --coverage, the transform's istanbul plugin (jest.transform.cjs) is compiled from
 * WebAssembly on first use, seconds of CPU, and cached in .swc/. Compiled here, on swc's own
 * thread while the template database and the build are made, rather than by every worker at once.
 */
async function compileCoveragePlugin(): Promise<void> {
  await transform('export {};', {
    filename: 'warm-up.ts',
    swcrc: false,
    jsc: {
      parser: { syntax: 'typescript' },
      experimental: { plugins: [['swc-plugin-coverage-instrument', {}]] },
    },
  });
}
