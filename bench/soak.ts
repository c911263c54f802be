import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { createHmac, randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { migrateUp, runSeeders } from '../db/migrator';
import { startEmbeddedPostgres, type RunningDatabase } from '../src/database/embedded-postgres';

/**
 * `npm run soak`: the built API in a process of its own under mixed traffic (service types, the
 * token check, driver locations, ride request + cancel, an occasional login) for SOAK_SECONDS
 * (default 600) at SOAK_LOAD (default 0.7) of the peak this same mix reaches, measured first for
 * SOAK_PEAK_SECONDS (default 5). Reports errors, p99 per minute and the API's RSS growth after
 * warm-up; exits 1 on any error or on 64 MB of growth. Loopback only, bounded in time and requests.
 * Uses SOAK_DATABASE_URL (a server where it may create a database) or a throwaway embedded one.
 */
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const PEAK_SECONDS = Number(process.env.SOAK_PEAK_SECONDS ?? 5);
const LOAD = Number(process.env.SOAK_LOAD ?? 0.7);
const WORKERS = 32;
const RIDERS = 64;
const DRIVERS = 32;
const RSS_LIMIT_MB = 64;
const REQUEST_TIMEOUT_MS = 5_000;
const CENTRE = { latitude: 37.7749, longitude: -122.4194 };
const ADMIN = { username: 'soak-admin', password: 'soak-admin-password' };
const JWT_SECRET = randomBytes(48).toString('base64url');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function token(userId: number, roleId: number): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  const payload = { sub: String(userId), userId, roleId, iat, exp: iat + SOAK_SECONDS + 3600 };
  const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}`;
  return `${unsigned}.${createHmac('sha256', JWT_SECRET).update(unsigned).digest('base64url')}`;
}

async function withSql<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function provideServer(): Promise<{ adminUrl: string; embedded?: RunningDatabase }> {
  if (process.env.SOAK_DATABASE_URL) return { adminUrl: process.env.SOAK_DATABASE_URL };
  const folder = mkdtempSync(join(tmpdir(), 'swiftride-soak-'));
  chmodSync(folder, 0o755);
  const embedded = await startEmbeddedPostgres(
    { embeddedDataDir: join(folder, 'data'), embeddedPort: await freePort(), persistent: false },
    { log: () => undefined },
  );
  return { adminUrl: embedded.url, embedded };
}

interface Accounts {
  riders: { id: number; token: string }[];
  drivers: string[];
}

async function seedAccounts(url: string): Promise<Accounts> {
  return withSql(url, async (client) => {
    const riders = await client.query<{ id: number }>(
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       SELECT 'soak-rider-' || n, '!', 1, now(), now() FROM generate_series(1, ${RIDERS}) n
       RETURNING id`,
    );
    const drivers = await client.query<{ id: number }>(
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       SELECT 'soak-driver-' || n, '!', 2, now(), now() FROM generate_series(1, ${DRIVERS}) n
       RETURNING id`,
    );
    await client.query(
      `INSERT INTO "DriverProfiles" ("userId", make, model, "licensePlate", "isOnline",
         "serviceTypeId", latitude, longitude, "locationUpdatedAt", "createdAt", "updatedAt")
       SELECT id, 'Toyota', 'Prius', 'SOAK-' || id, true, 1, $1, $2, now(), now(), now()
       FROM unnest($3::int[]) AS id`,
      [CENTRE.latitude, CENTRE.longitude, drivers.rows.map((row) => row.id)],
    );
    return {
      riders: riders.rows.map((row) => ({ id: row.id, token: token(row.id, 1) })),
      drivers: drivers.rows.map((row) => token(row.id, 2)),
    };
  });
}

interface ApiChild {
  url: string;
  pid: number;
  stop(): Promise<number | null>;
}

async function startApi(databaseUrl: string): Promise<ApiChild> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: join(__dirname, '..', '..'),
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      JWT_SECRET,
      // Its tokens live the soak plus an hour; the API refuses tokens longer-lived than its own.
      JWT_ACCESS_TTL_SECONDS: String(24 * 3600),
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_REQUESTS: 'false',
      LOGIN_ATTEMPTS_PER_MINUTE: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 300; attempt += 1) {
    const up = await fetch(`${url}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return { url, pid: child.pid!, stop: () => (child.kill('SIGTERM'), exited) };
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('the API did not become healthy within 30 s');
}

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

interface Sample {
  at: number;
  ms: number;
  ok: boolean;
  what: string;
}

/** The traffic mix: each call sends one or two requests and records them. */
class Traffic {
  private readonly freeRiders: { id: number; token: string }[];
  private lastLogin = 0;
  readonly samples: Sample[] = [];
  readonly errors: string[] = [];
  /** Calls of `one()` (a ride is two requests: request and cancel). */
  calls = 0;

  constructor(
    private readonly api: string,
    private readonly accounts: Accounts,
  ) {
    this.freeRiders = [...accounts.riders];
  }

  private async send(
    what: string,
    method: string,
    path: string,
    expected: number,
    options: { token?: string; body?: unknown } = {},
  ): Promise<unknown> {
    const started = performance.now();
    let ok = false;
    let body: unknown;
    try {
      const response = await fetch(`${this.api}${path}`, {
        method,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(options.body ? { 'content-type': 'application/json' } : {}),
        },
        body: options.body ? JSON.stringify(options.body) : undefined,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      body = await response.json();
      ok = response.status === expected;
      if (!ok && this.errors.length < 20) {
        this.errors.push(`${what}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
      }
    } catch (error) {
      if (this.errors.length < 20) this.errors.push(`${what}: ${(error as Error).message}`);
    }
    this.samples.push({ at: Date.now(), ms: performance.now() - started, ok, what });
    return body;
  }

  async one(): Promise<void> {
    this.calls += 1;
    const roll = randomInt(100);
    if (roll < 1 && Date.now() - this.lastLogin > 1_000) {
      this.lastLogin = Date.now();
      await this.send('login', 'POST', '/api/auth/login', 200, { body: ADMIN });
    } else if (roll < 35) {
      await this.send('service-types', 'GET', '/api/service-types', 200);
    } else if (roll < 60) {
      const rider = this.accounts.riders[randomInt(this.accounts.riders.length)];
      await this.send('secure-route', 'GET', '/api/auth/secure-route', 200, rider);
    } else if (roll < 85 || this.freeRiders.length === 0) {
      const driver = this.accounts.drivers[randomInt(this.accounts.drivers.length)];
      await this.send('location', 'PUT', '/api/drivers/me/location', 200, {
        token: driver,
        body: {
          latitude: CENTRE.latitude + (randomInt(200) - 100) / 10_000,
          longitude: CENTRE.longitude + (randomInt(200) - 100) / 10_000,
        },
      });
    } else {
      const rider = this.freeRiders.pop()!;
      try {
        const created = (await this.send('ride request', 'POST', '/api/rides', 201, {
          token: rider.token,
          body: {
            pickupLatitude: CENTRE.latitude,
            pickupLongitude: CENTRE.longitude,
            pickupAddress: '1 Market St, San Francisco',
            destinationLatitude: CENTRE.latitude + 0.03,
            destinationLongitude: CENTRE.longitude + 0.02,
            destinationAddress: '2 Broadway, Oakland',
          },
        })) as { ride?: { id: number } } | undefined;
        if (created?.ride) {
          await this.send('ride cancel', 'POST', `/api/rides/${created.ride.id}/cancel`, 200, {
            token: rider.token,
            body: {},
          });
        }
      } finally {
        this.freeRiders.push(rider);
      }
    }
  }
}

/** WORKERS loops sending the mix until `seconds` pass; at most `ratePerSecond` calls a second. */
async function drive(traffic: Traffic, seconds: number, ratePerSecond?: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  const maxCalls = Math.ceil((ratePerSecond ?? 20_000) * seconds * 1.1);
  const interval = ratePerSecond ? 1000 / ratePerSecond : 0;
  const started = Date.now();
  let issued = 0;
  const worker = async () => {
    while (Date.now() < deadline && issued < maxCalls) {
      if (interval) {
        const due = started + issued * interval;
        issued += 1;
        if (due > Date.now()) await sleep(due - Date.now());
        if (Date.now() >= deadline) break;
      } else issued += 1;
      await traffic.one();
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function main(): Promise<void> {
  const { adminUrl, embedded } = await provideServer();
  const database = `swiftride_soak_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  await withSql(adminUrl, (client) => client.query(`CREATE DATABASE "${database}"`));
  let api: ApiChild | undefined;
  try {
    await migrateUp(url.toString());
    await runSeeders(url.toString(), {
      adminUsername: ADMIN.username,
      adminPassword: ADMIN.password,
    });
    const accounts = await seedAccounts(url.toString());
    api = await startApi(url.toString());

    // A warm JIT and pool before the peak is measured, or the peak (and so the load) is too low.
    await drive(new Traffic(api.url, accounts), PEAK_SECONDS);
    const peakTraffic = new Traffic(api.url, accounts);
    await drive(peakTraffic, PEAK_SECONDS);
    const peakCalls = peakTraffic.calls / PEAK_SECONDS;
    const rate = Math.max(1, Math.round(peakCalls * LOAD));
    process.stdout.write(
      `peak ${(peakTraffic.samples.length / PEAK_SECONDS).toFixed(0)} req/s ` +
        `(${peakCalls.toFixed(0)} calls/s) over ${PEAK_SECONDS} s with ${WORKERS} workers; ` +
        `soaking at ${rate} calls/s (${(LOAD * 100).toFixed(0)}%) for ${SOAK_SECONDS} s\n`,
    );

    const traffic = new Traffic(api.url, accounts);
    const start = Date.now();
    const warmUpMs = Math.min(60_000, (SOAK_SECONDS * 1000) / 4);
    const rss: { at: number; mb: number }[] = [];
    const sampler = setInterval(() => rss.push({ at: Date.now(), mb: rssMb(api!.pid) }), 5_000);
    rss.push({ at: start, mb: rssMb(api.pid) });
    await drive(traffic, SOAK_SECONDS, rate);
    clearInterval(sampler);
    rss.push({ at: Date.now(), mb: rssMb(api.pid) });

    const minutes = Math.ceil(SOAK_SECONDS / 60);
    const lines: string[] = [];
    const p99s: number[] = [];
    for (let minute = 0; minute < minutes; minute += 1) {
      const inMinute = traffic.samples.filter(
        (s) => s.at >= start + minute * 60_000 && s.at < start + (minute + 1) * 60_000,
      );
      const ms = inMinute.map((s) => s.ms);
      const p99 = percentile(ms, 99);
      p99s.push(p99);
      lines.push(
        `  minute ${minute + 1}: ${inMinute.length} requests, p50 ${percentile(ms, 50).toFixed(1)} ms, ` +
          `p99 ${p99.toFixed(1)} ms, errors ${inMinute.filter((s) => !s.ok).length}`,
      );
    }
    const afterWarmUp = rss.filter((sample) => sample.at >= start + warmUpMs);
    const warmRss = afterWarmUp[0]?.mb ?? rss[0].mb;
    const growth = Math.max(...afterWarmUp.map((sample) => sample.mb)) - warmRss;
    const errors = traffic.samples.filter((s) => !s.ok).length;
    const counts = new Map<string, number>();
    for (const sample of traffic.samples)
      counts.set(sample.what, (counts.get(sample.what) ?? 0) + 1);
    process.stdout.write(
      `${traffic.samples.length} requests (${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}), ` +
        `${errors} errors\n${lines.join('\n')}\n` +
        `p99 per minute: min ${Math.min(...p99s).toFixed(1)} ms, max ${Math.max(...p99s).toFixed(1)} ms\n` +
        `RSS: ${rss[0].mb.toFixed(1)} MB at start, ${warmRss.toFixed(1)} MB after ` +
        `${(warmUpMs / 1000).toFixed(0)} s warm-up, ${rss[rss.length - 1].mb.toFixed(1)} MB at the end; ` +
        `growth after warm-up ${growth.toFixed(1)} MB (limit ${RSS_LIMIT_MB} MB)\n`,
    );
    if (traffic.errors.length > 0)
      process.stdout.write(`first errors:\n  ${traffic.errors.join('\n  ')}\n`);
    if (errors > 0 || growth >= RSS_LIMIT_MB) process.exitCode = 1;
  } finally {
    const code = await api?.stop();
    if (api && code !== 0) process.stdout.write(`the API exited with ${code} on SIGTERM\n`);
    await withSql(adminUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
    );
    await embedded?.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
