import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrateUp, runSeeders } from '../db/migrator';
import { createApp } from '../src/app.setup';
import { TokenService } from '../src/auth/token.service';
import { loadConfig } from '../src/config/configuration';
import { startEmbeddedPostgres, type RunningDatabase } from '../src/database/embedded-postgres';

/**
 * `npm run bench`: HTTP throughput of the API's main read paths, each measured side by side with a
 * bare node:http server answering constant JSON on the same machine in the same run, so the
 * figures are ratios to that baseline rather than absolute numbers that vary by machine.
 * Uses BENCH_DATABASE_URL (a server where it may create a database) or a throwaway embedded one.
 */
const DURATION_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const USERS = 1_000;
const OPEN_RIDES = 10_000;
const ONLINE_DRIVERS = 5_000;
const CENTRE = { latitude: 37.7749, longitude: -122.4194 };
const ADMIN = { adminUsername: 'bench-admin', adminPassword: 'bench-admin-password' };

interface Result {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

interface RequestShape {
  token?: string;
  method?: 'GET' | 'PUT';
  body?: object;
}

function runAutocannon(
  url: string,
  headers: string[],
  extra: string[] = [],
): Promise<{
  requests: { average: number };
  latency: { p50: number; p99: number };
  errors: number;
  non2xx: number;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        require.resolve('autocannon/autocannon.js'),
        '-j',
        '-c',
        String(CONNECTIONS),
        '-d',
        String(DURATION_SECONDS),
        ...headers.flatMap((header) => ['-H', header]),
        ...extra,
        url,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`autocannon exited ${code}`)),
    );
  });
}

async function measure(
  name: string,
  url: string,
  request: string | RequestShape = {},
): Promise<Result> {
  const {
    token,
    method = 'GET',
    body,
  } = typeof request === 'string' ? { token: request } : request;
  const headers = token ? [`Authorization=Bearer ${token}`] : [];
  const extra = ['-m', method];
  if (body) {
    headers.push('Content-Type=application/json');
    extra.push('-b', JSON.stringify(body));
  }
  await runAutocannon(url, headers, extra).catch(() => undefined); // warm-up, not counted
  const result = await runAutocannon(url, headers, extra);
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** autocannon stops mid-request: let the API finish what it was still answering. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2000));
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

async function provideServer(): Promise<{ adminUrl: string; embedded?: RunningDatabase }> {
  if (process.env.BENCH_DATABASE_URL) return { adminUrl: process.env.BENCH_DATABASE_URL };
  const folder = mkdtempSync(join(tmpdir(), 'swiftride-bench-'));
  chmodSync(folder, 0o755);
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  const embedded = await startEmbeddedPostgres(
    { embeddedDataDir: join(folder, 'data'), embeddedPort: port, persistent: false },
    { log: () => undefined },
  );
  return { adminUrl: embedded.url, embedded };
}

async function sql(url: string, text: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * Open rides and online drivers scattered within ±0.3° of the centre (one rider per ride: a rider
 * has one active ride), and the driver whose token the ride scenarios use, online at the centre.
 */
async function seedRides(url: string, tokens: TokenService): Promise<string> {
  const scatter = (column: 'latitude' | 'longitude') =>
    `${CENTRE[column]} + (random() - 0.5) * 0.6`;
  await sql(
    url,
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       SELECT 'rider-' || n, '!', 1, now(), now() FROM generate_series(1, ${OPEN_RIDES}) AS n;
     INSERT INTO "RideRequests" ("riderId", "serviceTypeId", "pickupLatitude", "pickupLongitude",
         "pickupAddress", "destinationLatitude", "destinationLongitude", "destinationAddress",
         status, "estimatedFare", "requestedAt", "createdAt", "updatedAt")
       SELECT id, 1 + id % 3, ${scatter('latitude')}, ${scatter('longitude')}, 'pickup',
         ${scatter('latitude')}, ${scatter('longitude')}, 'destination', 'REQUESTED', 20,
         now(), now(), now()
       FROM "Users" WHERE username LIKE 'rider-%';
     INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       SELECT 'driver-' || n, '!', 2, now(), now() FROM generate_series(0, ${ONLINE_DRIVERS}) AS n;
     INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline",
         "serviceTypeId", latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
       SELECT id, 'Toyota', 'Prius', 'BENCH-' || id, true, 1 + id % 3,
         ${scatter('latitude')}, ${scatter('longitude')}, now() + interval '1 hour', now(), now()
       FROM "Users" WHERE username LIKE 'driver-%';
     UPDATE "DriverProfiles" SET latitude = ${CENTRE.latitude}, longitude = ${CENTRE.longitude}
       WHERE "userId" = (SELECT id FROM "Users" WHERE username = 'driver-0');
     ANALYZE "RideRequests"; ANALYZE "DriverProfiles";`,
  );
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: number }>(
      `SELECT id FROM "Users" WHERE username = 'driver-0'`,
    );
    return tokens.signAccessToken({ id: rows[0].id, roleId: 2 });
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const { adminUrl, embedded } = await provideServer();
  const database = `swiftride_bench_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await sql(adminUrl, `CREATE DATABASE "${database}"`);
  try {
    await migrateUp(url.toString());
    await runSeeders(url.toString(), ADMIN);
    await sql(
      url.toString(),
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       SELECT 'user-' || n, '!', 1 + n % 2, now(), now() FROM generate_series(1, ${USERS}) AS n`,
    );

    const baseline = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"status":"ok"}');
    });
    const baselinePort = await listen(baseline);
    const app = await createApp(
      loadConfig({ NODE_ENV: 'test', DATABASE_URL: url.toString(), LOG_REQUESTS: 'false' }),
    );
    await app.listen(0, '127.0.0.1');
    const api = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const login = await fetch(`${api}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: ADMIN.adminUsername, password: ADMIN.adminPassword }),
    });
    const admin = ((await login.json()) as { accessToken: string }).accessToken;

    const results: Result[] = [];
    results.push(
      await measure(
        'bare node:http, constant JSON (baseline)',
        `http://127.0.0.1:${baselinePort}/`,
      ),
    );
    results.push(await measure('GET /api/health (SELECT 1)', `${api}/api/health`));
    results.push(await measure('GET /api/service-types (public)', `${api}/api/service-types`));
    results.push(
      await measure(
        'GET /api/auth/secure-route (token check)',
        `${api}/api/auth/secure-route`,
        admin,
      ),
    );
    results.push(await measure('GET /api/users?limit=20', `${api}/api/users?limit=20`, admin));
    results.push(await measure('GET /api/users?limit=100', `${api}/api/users?limit=100`, admin));
    results.push(
      await measure(
        'GET /api/users?search=user-1&role=driver',
        `${api}/api/users?search=user-1&role=driver`,
        admin,
      ),
    );
    results.push(await measure('GET /api/roles (with user counts)', `${api}/api/roles`, admin));

    const driver = await seedRides(url.toString(), app.get(TokenService));
    const rideScenarios = async (label: string) => {
      results.push(
        await measure(
          `GET /api/rides/open?radiusKm=5 ${label}`,
          `${api}/api/rides/open?radiusKm=5`,
          driver,
        ),
      );
      results.push(
        await measure(
          `GET /api/drivers/nearby ${label}`,
          `${api}/api/drivers/nearby?latitude=${CENTRE.latitude}&longitude=${CENTRE.longitude}`,
          driver,
        ),
      );
    };
    await rideScenarios('(GiST)');
    results.push(
      await measure('PUT /api/drivers/me/location', `${api}/api/drivers/me/location`, {
        token: driver,
        method: 'PUT',
        body: CENTRE,
      }),
    );
    // The same two reads with the geo indexes gone: what the GiST indexes buy, side by side.
    await settle();
    await sql(
      url.toString(),
      `DROP INDEX "RideRequests_requested_pickup_gist"; DROP INDEX "DriverProfiles_online_location_gist"`,
    );
    await rideScenarios('(no geo index)');

    await settle();
    await app.close();
    await new Promise((resolve) => baseline.close(resolve));

    const base = results[0].requestsPerSecond;
    const lines = results.map(
      (r) =>
        `${r.name.padEnd(46)} ${r.requestsPerSecond.toFixed(0).padStart(8)} req/s  ` +
        `${(r.requestsPerSecond / base).toFixed(3).padStart(6)} × baseline  p50 ${r.p50} ms  p99 ${r.p99} ms` +
        (r.errors ? `  (${r.errors} errors)` : ''),
    );
    process.stdout.write(
      `${CONNECTIONS} connections, ${DURATION_SECONDS} s per scenario, ${USERS} users, ` +
        `${OPEN_RIDES} open rides and ${ONLINE_DRIVERS} online drivers within ~30 km\n${lines.join('\n')}\n`,
    );
  } finally {
    await sql(adminUrl, `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
