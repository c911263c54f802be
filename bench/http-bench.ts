import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateUp, runSeeders } from '../db/migrator';
import { loadConfig } from '../src/config/configuration';
import {
  ADMIN,
  CENTRE,
  CONNECTIONS,
  EXPLAIN_POINTS,
  GEO_COUNT,
  log,
  MANY_DRIVERS,
  MEMORY_SECONDS,
  percentile,
  POOL_MAX,
  provideServer,
  redisAnswers,
  rssMb,
  SECONDS,
  type Server,
  sleep,
  SMOKE,
  SPREAD_DEGREES,
  startProcess,
  WARM_UP_SECONDS,
  TOKEN_SECONDS,
  withSql,
} from './common';
import { NEARBY_SQL, OPEN_RIDES_SQL, STALE_SECONDS } from './geo-sql';
import type { LoadResult, LoadSpec, Sent } from './load';
import type { RealtimeResult, RealtimeSpec } from './realtime-load';
import { compare, environment, type Row, save, table } from './report';
import {
  type Accounts,
  clearBenchRides,
  ensureGeo,
  geoDriverIds,
  geoDriverTokens,
  type RealtimeAccounts,
  seedAccounts,
  seedRealtime,
  setOnlineDrivers,
} from './seed';

/**
 * `npm run bench`: the built API in a process of its own (NODE_ENV=production) against bare
 * references the bench runs in the same run on the same database (see reference-server.ts), as
 * ratios to them; the targets are issue 10's. `BENCH_ONLY=a,b` runs some scenarios,
 * `BENCH_SECONDS` sets the seconds per measurement, `BENCH_SMOKE=1` (npm run bench:smoke) runs
 * everything briefly on tiny data and fails only if a scenario does not run. The realtime
 * scenarios use the Redis at `BENCH_REDIS_URL` (the machine's, redis://127.0.0.1:6379, by default).
 * `npm run bench -- --compare A.json B.json` compares two saved runs.
 */
const JWT_SECRET = randomBytes(48).toString('base64url');
const TMP = mkdtempSync(join(tmpdir(), 'swiftride-bench-run-'));
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
/**
 * 200 connected drivers is issue 10's fan-out. Rides and reports come at a steady, modest rate
 * (each ride is 200 offers and, once cancelled, 200 withdrawals; each driver on a ride reports once
 * a second), so the figures are the delay of one fan-out rather than of a saturated server.
 */
const OFFER_DRIVERS = SMOKE ? 20 : 200;
const OFFER_RIDERS = SMOKE ? 2 : 4;
const RIDES_PER_SECOND = 2;
const LOCATION_PAIRS = SMOKE ? 4 : 50;
const UPDATES_PER_SECOND = LOCATION_PAIRS;
/** A degree north and south of the metro area (±0.3°): no other bench driver is near either. */
const OFFER_POINT = { latitude: CENTRE.latitude + 1, longitude: CENTRE.longitude };
const LOCATION_POINT = { latitude: CENTRE.latitude - 1, longitude: CENTRE.longitude };

let specs = 0;
/** A built bench script (load.js, realtime-load.js) in its own process; its one JSON answer. */
function runChild<T>(script: string, spec: object): Promise<T> {
  const file = join(TMP, `spec-${(specs += 1)}.json`);
  writeFileSync(file, JSON.stringify(spec));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, script), file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`${script} exited ${code}`)),
    );
  });
}

/** One run of the load generator. */
const load = (spec: LoadSpec) => runChild<LoadResult>('load.js', spec);
const realtimeLoad = (spec: RealtimeSpec) => runChild<RealtimeResult>('realtime-load.js', spec);

/** A LoadSpec without where, how long and (optionally) how many connections: each script's own. */
type Shape = LoadSpec extends infer Spec
  ? Spec extends LoadSpec
    ? Omit<Spec, 'base' | 'connections' | 'seconds'> & { connections?: number }
    : never
  : never;

/** A warm-up (not counted), then the measurement; `before` runs ahead of each (e.g. clean-up). */
async function measure(
  base: string,
  shape: Shape,
  before?: () => Promise<void>,
  seconds = SECONDS,
): Promise<LoadResult> {
  const spec = { connections: CONNECTIONS, ...shape, base } as LoadSpec;
  await before?.();
  await load({ ...spec, seconds: WARM_UP_SECONDS }).catch(() => undefined);
  // autocannon stops mid-request: what the server was still answering must not spill over.
  await sleep(300);
  await before?.();
  return load({ ...spec, seconds });
}

interface Context {
  api: Server;
  ref: Server;
  database: string;
  accounts: Accounts;
  /** Results later scenarios compare with (e.g. the flatness of available service types). */
  memo: Map<string, LoadResult>;
  /** Password hashes the API runs at once (its HASH_CONCURRENCY). */
  hashConcurrency: number;
  /** Every process the bench started, stopped at the end. */
  servers: Server[];
  /** The realtime scenarios' two API processes and accounts, once the first of them asks. */
  realtime?: Promise<RealtimeRig | undefined>;
}

/** The API as `npm run bench` starts it, on `database`. */
function apiEnv(database: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: database,
    JWT_SECRET,
    JWT_ACCESS_TTL_SECONDS: String(TOKEN_SECONDS),
    LOGIN_ATTEMPTS_PER_MINUTE: '1000000',
    RIDE_REQUEST_TIMEOUT_SECONDS: '86400',
    // Every connection's login waits its turn, and so do those a warm-up leaves behind: the
    // bench measures hashing throughput and the latency of others beside it. Refusals past
    // the queue are the e2e tests' (a client that retries at once on 503 is no real client).
    HASH_QUEUE_MAX: String(2 * CONNECTIONS),
    // The ride cycle's drivers accept their rider's ride wherever they are, as in the baseline;
    // the realtime scenarios measure the fan-out to every driver near a pickup.
    DISPATCH_MODE: 'broadcast',
  };
}

const rideBody = {
  pickupLatitude: CENTRE.latitude,
  pickupLongitude: CENTRE.longitude,
  pickupAddress: '1 Market St, San Francisco',
  destinationLatitude: CENTRE.latitude + 0.03,
  destinationLongitude: CENTRE.longitude + 0.02,
  destinationAddress: '2 Broadway, Oakland',
};
const createRide: Sent = { method: 'POST', path: '/api/rides', body: rideBody };

/** Idle and busy spells of reads-under-login, alternated. */
const READS_UNDER_LOGIN_ROUNDS = SMOKE ? 1 : 3;

/** The mean of runs' requests a second. */
const meanRate = (runs: LoadResult[]) =>
  runs.reduce((sum, run) => sum + run.requestsPerSecond, 0) / runs.length;

/** Runs of the same steady load as one: their latencies pooled, requests and errors summed. */
function pooled(runs: LoadResult[]): LoadResult {
  const latencies = runs.flatMap((run) => run.latencies ?? []);
  return {
    requestsPerSecond: meanRate(runs),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
  };
}

/** A row comparing the API's throughput with a reference's: target is the least ratio. */
function against(
  scenario: string,
  measure: string,
  api: LoadResult,
  reference: LoadResult,
  referenceName: string,
  least?: number,
): Row {
  // A reference that refused (a token it would not take) would only look fast.
  if (reference.errors > 0.05 * reference.requests) {
    throw new Error(`${referenceName}: ${reference.errors} of its answers were errors`);
  }
  const ratio = api.requestsPerSecond / reference.requestsPerSecond;
  return {
    scenario,
    measure,
    requestsPerSecond: api.requestsPerSecond,
    p50: api.p50,
    p99: api.p99,
    requests: api.requests,
    errors: api.errors,
    reference: {
      name: referenceName,
      requestsPerSecond: reference.requestsPerSecond,
      p50: reference.p50,
      p99: reference.p99,
    },
    ratio,
    ...(least === undefined ? {} : { target: `≥ ${least}×`, met: ratio >= least }),
  };
}

/** A read with the same JSON from memory as its first reference and the same SQL as its second. */
async function referenceData(ctx: Context, name: string, path: string, token?: string) {
  const api = await measure(ctx.api.base, { script: 'fixed', path, token });
  // The same caller as the API's: the references check an admin's token as the route does.
  const memory = await measure(ctx.ref.base, { script: 'fixed', path: `/memory/${name}`, token });
  const sql = await measure(ctx.ref.base, { script: 'fixed', path: `/sql/${name}`, token });
  const rows = [
    against(name, `GET ${path} vs memory`, api, memory, 'bare, JSON from memory', 0.5),
    against(name, `GET ${path} vs same SQL`, api, sql, 'bare, same SQL'),
  ];
  if (token) {
    // For comparison with runs whose reference handed the JSON to anyone.
    const open = await measure(ctx.ref.base, {
      script: 'fixed',
      path: `/unchecked/memory/${name}`,
    });
    rows.push(
      against(
        name,
        `GET ${path} vs memory served to anyone`,
        api,
        open,
        'bare, JSON from memory, no token check',
      ),
    );
  }
  return rows;
}

async function authenticatedRead(ctx: Context, name: string, path: string, refPath: string) {
  const token = ctx.accounts.riders[0];
  const api = await measure(ctx.api.base, { script: 'fixed', path, token });
  const ref = await measure(ctx.ref.base, { script: 'fixed', path: refPath, token });
  return [against(name, `GET ${path}`, api, ref, 'bare, token + one query', 0.6)];
}

async function availableServiceTypes(ctx: Context, online: number, name: string) {
  await ensureGeo(ctx.database, ctx.accounts, MANY_DRIVERS, 0);
  await setOnlineDrivers(ctx.database, online);
  const path = '/api/rides/available-service-types';
  const token = ctx.accounts.riders[0];
  const api = await measure(ctx.api.base, { script: 'fixed', path, token });
  const ref = await measure(ctx.ref.base, {
    script: 'fixed',
    path: '/available-service-types',
    token,
  });
  ctx.memo.set(name, api);
  const rows = [against(name, `GET ${path}, ${online} online`, api, ref, 'bare, same SQL', 0.7)];
  const few = ctx.memo.get('available-service-types-10');
  if (name !== 'available-service-types-10' && few) {
    const ratio = api.requestsPerSecond / few.requestsPerSecond;
    rows.push({
      scenario: name,
      measure: `flat: ${online} online ÷ 10 online`,
      requestsPerSecond: api.requestsPerSecond,
      reference: { name: 'API, 10 online', requestsPerSecond: few.requestsPerSecond },
      ratio,
      target: '≥ 0.9×',
      met: ratio >= 0.9,
    });
  }
  return rows;
}

/** A point in the bench's metro area, at random. */
function randomPointIn(): [number, number] {
  return [
    CENTRE.latitude + (Math.random() - 0.5) * 2 * SPREAD_DEGREES,
    CENTRE.longitude + (Math.random() - 0.5) * 2 * SPREAD_DEGREES,
  ];
}

/**
 * Query time (planning and execution) of `sql` for EXPLAIN_POINTS sets of values (`valuesAt(i)`),
 * run as the API runs it: sent with its values and planned for them, or `prepared` (a named
 * statement), planned for the first runs' values and then once for all.
 */
async function explainEach(
  ctx: Context,
  sql: string,
  valuesAt: (i: number) => (number | null)[],
  prepared = false,
): Promise<{ p50: number; p99: number }> {
  const times = await withSql(ctx.database, async (client) => {
    const explain = async (values: (number | null)[]) => {
      const { rows } = await client.query<{ 'QUERY PLAN': [Record<string, number>] }>(
        prepared
          ? `EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE geo_query (${values.map(String).join(', ')})`
          : `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
        prepared ? [] : values,
      );
      const [plan] = rows[0]['QUERY PLAN'];
      return plan['Planning Time'] + plan['Execution Time'];
    };
    if (prepared) {
      await client.query(`PREPARE geo_query AS ${sql}`);
      // PostgreSQL plans the first five runs for their values, then weighs one plan for all.
      for (let i = 0; i < 5; i += 1) await explain(valuesAt(i));
    }
    const ms: number[] = [];
    for (let i = 0; i < EXPLAIN_POINTS; i += 1) ms.push(await explain(valuesAt(i)));
    return ms;
  });
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

async function geoSetUp(ctx: Context): Promise<string[]> {
  await ensureGeo(ctx.database, ctx.accounts, GEO_COUNT, GEO_COUNT);
  await setOnlineDrivers(ctx.database, GEO_COUNT);
  return geoDriverTokens(ctx.database, JWT_SECRET, ctx.accounts, Math.min(GEO_COUNT, 5_000));
}

function queryRow(scenario: string, query: { p50: number; p99: number }, at: string): Row {
  return {
    scenario,
    measure: `query, EXPLAIN ANALYZE at ${EXPLAIN_POINTS} ${at}`,
    p50: query.p50,
    p99: query.p99,
    target: 'p99 ≤ 5 ms',
    met: query.p99 <= 5,
  };
}

function routeRow(scenario: string, measure: string, api: LoadResult, ref: LoadResult): Row {
  return {
    ...against(scenario, measure, api, ref, 'bare, same SQL'),
    target: 'p99 ≤ 25 ms',
    met: api.p99 <= 25,
  };
}

/**
 * The route's latency as callers see it below saturation: half the requests a second the 50
 * connections got answered back to back, now sent evenly over a pool of up to 50 (runSteady).
 * Back to back, every request waits behind the 49 others, so the p99 there is the queue's length
 * times a request's share of two cores: it measures this machine's throughput, not the route's
 * latency.
 */
async function steadyRouteRow(
  ctx: Context,
  scenario: string,
  path: string,
  shape: Shape,
  closedLoop: LoadResult,
): Promise<Row> {
  const rate = Math.max(10, Math.round(closedLoop.requestsPerSecond / 2));
  const steady = await measure(ctx.api.base, { ...shape, rate } as Shape);
  return {
    scenario,
    measure: `GET ${path} at ${rate} req/s (half the above), evenly spaced over ${CONNECTIONS} connections`,
    requestsPerSecond: steady.requestsPerSecond,
    p50: steady.p50,
    p99: steady.p99,
    requests: steady.requests,
    errors: steady.errors,
    target: 'p99 ≤ 25 ms',
    met: steady.p99 <= 25,
  };
}

interface RealtimeRig {
  a: Server;
  b: Server;
  accounts: RealtimeAccounts;
}

/**
 * Two API processes on the bench's database and one Redis, for the realtime scenarios; undefined
 * when no Redis answers. Offers go to every free driver near the pickup (DISPATCH_MODE=broadcast:
 * the fan-out the target is about, whatever the default dispatch offers to).
 */
function realtimeRig(ctx: Context): Promise<RealtimeRig | undefined> {
  ctx.realtime ??= (async () => {
    if (!(await redisAnswers(REDIS_URL))) return undefined;
    const accounts = await seedRealtime(
      ctx.database,
      JWT_SECRET,
      ctx.accounts,
      { drivers: OFFER_DRIVERS, riders: OFFER_RIDERS, pairs: LOCATION_PAIRS },
      OFFER_POINT,
      LOCATION_POINT,
    );
    const env = { ...apiEnv(ctx.database), REDIS_URL };
    const [a, b] = await Promise.all(
      ['a', 'b'].map(async (name) => {
        const api = await startProcess('dist/src/main.js', env, '/api/health', TMP, `main-${name}`);
        ctx.servers.push(api);
        return api;
      }),
    );
    return { a, b, accounts };
  })();
  return ctx.realtime;
}

const skippedNoRedis = (scenario: string): Row[] => [
  { scenario, measure: `skipped: no Redis at ${REDIS_URL} (set BENCH_REDIS_URL)` },
];

/** A realtime row: events/s, ms from the response to the event, against the request's own latency. */
function realtimeRow(
  scenario: string,
  measure: string,
  result: RealtimeResult,
  request: string,
  p99Target: number,
  rss: number,
): Row {
  const missed = result.expected - result.delivered;
  return {
    scenario,
    measure:
      `${measure}; ${result.delivered}/${result.expected} delivered` +
      `${missed > 0 ? ` (**${missed} missed**)` : ''}, ${result.early} before the response` +
      `${Number.isNaN(result.max) ? '' : `, max ${result.max.toFixed(0)} ms`}`,
    requestsPerSecond: result.deliveredPerSecond,
    p50: result.p50,
    p99: result.p99,
    requests: result.sent,
    errors: result.errors,
    reference: { name: request, p50: result.request.p50, p99: result.request.p99 },
    target: `p99 ≤ ${p99Target} ms, none missed`,
    met: result.p99 <= p99Target && missed === 0 && result.sent > 0,
    rssMb: rss,
  };
}

const SCENARIOS: Record<string, (ctx: Context) => Promise<Row[]>> = {
  'service-types': (ctx) => referenceData(ctx, 'service-types', '/api/service-types'),
  roles: (ctx) => referenceData(ctx, 'roles', '/api/roles', ctx.accounts.admin),
  'secure-route': (ctx) =>
    authenticatedRead(ctx, 'secure-route', '/api/auth/secure-route', '/secure-route'),
  'auth-me': (ctx) => authenticatedRead(ctx, 'auth-me', '/api/auth/me', '/auth/me'),
  'available-service-types-10': (ctx) =>
    availableServiceTypes(ctx, 10, 'available-service-types-10'),
  'available-service-types-10000': (ctx) =>
    availableServiceTypes(ctx, MANY_DRIVERS, 'available-service-types-10000'),

  'ride-cycle': async (ctx) => {
    await setOnlineDrivers(ctx.database, 0);
    const clear = () => clearBenchRides(ctx.database);
    const tokens = ctx.accounts.riders;
    const api = await measure(
      ctx.api.base,
      { script: 'ride-cycle', tokens, create: createRide, cancelPath: '/api/rides/{id}/cancel' },
      clear,
    );
    const ref = await measure(
      ctx.ref.base,
      {
        script: 'ride-cycle',
        tokens,
        create: { ...createRide, path: '/rides' },
        cancelPath: '/rides/{id}/cancel',
      },
      clear,
    );
    return [
      against(
        'ride-cycle',
        'POST /api/rides + cancel, each connection its own rider (req/s = 2 per cycle)',
        api,
        ref,
        'bare, same INSERT + UPDATE',
        0.5,
      ),
    ];
  },

  lifecycle: async (ctx) => {
    await setOnlineDrivers(ctx.database, 0, true);
    const result = await measure(
      ctx.api.base,
      { script: 'lifecycle', pairs: ctx.accounts.pairs, create: createRide },
      () => clearBenchRides(ctx.database),
    );
    await setOnlineDrivers(ctx.database, 0, false);
    return [
      {
        scenario: 'lifecycle',
        measure: `rides completed/s by ${CONNECTIONS} rider-driver pairs (req/s = completed rides)`,
        requestsPerSecond: result.completedPerSecond,
        p50: result.p50,
        p99: result.p99,
        requests: result.requests,
        errors: result.errors,
        target: 'report',
      },
      ...Object.entries(result.steps ?? {}).map(([step, latency]) => ({
        scenario: 'lifecycle',
        measure: `step ${step}`,
        p50: latency.p50,
        p99: latency.p99,
      })),
    ];
  },

  login: async (ctx) => {
    // A login takes over a second at 50 connections: a shorter run would see none finish.
    const seconds = Math.max(SECONDS, 4);
    const api = await measure(
      ctx.api.base,
      { script: 'fixed', method: 'POST', path: '/api/auth/login', body: ADMIN },
      undefined,
      seconds,
    );
    const argon2 = { script: 'argon2' as const, password: ADMIN.password };
    // The API hashes HASH_CONCURRENCY passwords at once, leaving a core to everything else: a
    // loop as wide shows what a login costs beyond its hash; one as wide as the connections
    // (libuv's four threads on every core) shows what the machine could hash.
    const same = await measure(
      '',
      { ...argon2, connections: ctx.hashConcurrency },
      undefined,
      seconds,
    );
    const all = await measure('', argon2, undefined, seconds);
    return [
      against(
        'login',
        `POST /api/auth/login vs ${ctx.hashConcurrency} verification(s) at once`,
        api,
        same,
        `raw argon2.verify loop, ${ctx.hashConcurrency} at once (HASH_CONCURRENCY)`,
        0.9,
      ),
      against(
        'login',
        'POST /api/auth/login vs the machine',
        api,
        all,
        `raw argon2.verify loop, ${CONNECTIONS} at once`,
      ),
    ];
  },

  'reads-under-login': async (ctx) => {
    const rows: Row[] = [];
    // A steady, modest rate: the latency a caller sees, not the route's throughput.
    const steady = { connections: 10, rate: 100 };
    const reads: [string, string, string | undefined][] = [
      ['service-types', '/api/service-types', undefined],
      ['secure-route', '/api/auth/secure-route', ctx.accounts.riders[0]],
    ];
    for (const [name, path, token] of reads) {
      const read = { script: 'fixed' as const, path, token, ...steady };
      await load({ ...read, base: ctx.api.base, seconds: WARM_UP_SECONDS });
      // Idle and busy spells alternate, their latencies pooled: a p99 of one 5 s spell is its
      // fifth-worst answer, and the machine's pace drifts between spells.
      const idle: LoadResult[] = [];
      const busy: LoadResult[] = [];
      const logins: LoadResult[] = [];
      for (let round = 0; round < READS_UNDER_LOGIN_ROUNDS; round += 1) {
        idle.push(await load({ ...read, base: ctx.api.base, seconds: SECONDS }));
        const signingIn = load({
          base: ctx.api.base,
          connections: 40,
          seconds: SECONDS + 2,
          script: 'fixed',
          method: 'POST',
          path: '/api/auth/login',
          body: ADMIN,
        });
        await sleep(1000);
        busy.push(await load({ ...read, base: ctx.api.base, seconds: SECONDS }));
        logins.push(await signingIn);
        // The queued logins drain before the next idle spell.
        await sleep(1500);
      }
      const [quiet, loaded] = [pooled(idle), pooled(busy)];
      const loginRate = meanRate(logins);
      const ratio = loaded.p99 / quiet.p99;
      rows.push({
        scenario: 'reads-under-login',
        measure:
          `${name} p99 while 40 connections log in (${loginRate.toFixed(0)} logins/s), ` +
          `${READS_UNDER_LOGIN_ROUNDS} busy spell(s) of ${SECONDS} s between idle ones`,
        requestsPerSecond: loaded.requestsPerSecond,
        p50: loaded.p50,
        p99: loaded.p99,
        requests: loaded.requests,
        errors: loaded.errors,
        reference: { name: 'same, idle', p50: quiet.p50, p99: quiet.p99 },
        ratio,
        target: 'p99 ≤ 2× idle',
        met: ratio <= 2,
      });
    }
    return rows;
  },

  'geo-open-rides': async (ctx) => {
    const tokens = await geoSetUp(ctx);
    // The statement reads the driver's own position: random online drivers stand at random points.
    const drivers = await geoDriverIds(ctx.database, EXPLAIN_POINTS + 5);
    const query = await explainEach(
      ctx,
      OPEN_RIDES_SQL,
      (i) => [drivers[i], STALE_SECONDS, 5_000],
      true,
    );
    const path = '/api/rides/open';
    const shape: Shape = { script: 'random-caller', tokens, path: `${path}?radiusKm=5` };
    const api = await measure(ctx.api.base, shape);
    const ref = await measure(ctx.ref.base, {
      script: 'random-caller',
      tokens,
      path: '/rides/open?radiusKm=5',
    });
    return [
      queryRow('geo-open-rides', query, 'random online drivers'),
      routeRow('geo-open-rides', `GET ${path}, random online drivers`, api, ref),
      await steadyRouteRow(ctx, 'geo-open-rides', path, shape, api),
    ];
  },

  'geo-nearby': async (ctx) => {
    await geoSetUp(ctx);
    const query = await explainEach(
      ctx,
      NEARBY_SQL,
      () => [...randomPointIn(), 5_000, null, STALE_SECONDS],
      true,
    );
    const randomPoint = { ...CENTRE, spread: SPREAD_DEGREES };
    const tokens = ctx.accounts.riders;
    const path = '/api/drivers/nearby';
    const shape: Shape = { script: 'random-caller', tokens, path, randomPoint };
    const api = await measure(ctx.api.base, shape);
    const ref = await measure(ctx.ref.base, {
      script: 'random-caller',
      tokens,
      path: '/drivers/nearby',
      randomPoint,
    });
    return [
      queryRow('geo-nearby', query, 'random points'),
      routeRow('geo-nearby', `GET ${path}, random points`, api, ref),
      await steadyRouteRow(ctx, 'geo-nearby', path, shape, api),
    ];
  },

  'geo-location-updates': async (ctx) => {
    const tokens = await geoSetUp(ctx);
    const shape = {
      script: 'random-caller' as const,
      tokens,
      jitterBody: true,
      method: 'PUT' as const,
    };
    const path = '/api/drivers/me/location';
    const api = await measure(ctx.api.base, { ...shape, path, body: CENTRE });
    const ref = await measure(ctx.ref.base, {
      ...shape,
      path: '/drivers/me/location',
      body: CENTRE,
    });
    return [against('geo-location-updates', `PUT ${path}`, api, ref, 'bare, same SQL', 0.5)];
  },

  memory: async (ctx) => {
    await setOnlineDrivers(ctx.database, Math.min(GEO_COUNT, MANY_DRIVERS));
    const drivers = await geoDriverTokens(ctx.database, JWT_SECRET, ctx.accounts, 1_000);
    await clearBenchRides(ctx.database);
    const mix = {
      base: ctx.api.base,
      connections: CONNECTIONS,
      script: 'mix' as const,
      riders: ctx.accounts.riders,
      drivers,
      create: createRide,
      cancelPath: '/api/rides/{id}/cancel',
    };
    await load({ ...mix, seconds: SMOKE ? 1 : 30 });
    await sleep(300);
    await clearBenchRides(ctx.database);
    const warm = rssMb(ctx.api.pid);
    let peak = warm;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(ctx.api.pid))), 1_000);
    const result = await load({ ...mix, seconds: MEMORY_SECONDS }).finally(() =>
      clearInterval(sampler),
    );
    const after = rssMb(ctx.api.pid);
    return [
      {
        scenario: 'memory',
        measure: `RSS after ${MEMORY_SECONDS} s of mixed load (peak ${peak.toFixed(0)} MB)`,
        requestsPerSecond: result.requestsPerSecond,
        p50: result.p50,
        p99: result.p99,
        requests: result.requests,
        errors: result.errors,
        reference: { name: `warm RSS ${warm.toFixed(0)} MB` },
        target: '≤ warm + 64 MB',
        met: after <= warm + 64,
        rssMb: after,
      },
    ];
  },

  'realtime-offer': async (ctx) => {
    const rig = await realtimeRig(ctx);
    if (!rig) return skippedNoRedis('realtime-offer');
    await clearBenchRides(ctx.database);
    const result = await realtimeLoad({
      script: 'realtime-offer',
      submit: rig.a.base,
      bases: [rig.a.base, rig.b.base],
      drivers: rig.accounts.drivers,
      riders: rig.accounts.riders,
      ride: {
        ...rideBody,
        pickupLatitude: OFFER_POINT.latitude,
        pickupLongitude: OFFER_POINT.longitude,
        destinationLatitude: OFFER_POINT.latitude + 0.03,
        destinationLongitude: OFFER_POINT.longitude + 0.02,
      },
      ridesPerSecond: RIDES_PER_SECOND,
      warmUpSeconds: WARM_UP_SECONDS,
      seconds: SECONDS,
    });
    await clearBenchRides(ctx.database);
    return [
      realtimeRow(
        'realtime-offer',
        `ride.offered to ${OFFER_DRIVERS} drivers (half on each of 2 processes), ms after POST /api/rides ` +
          `on one answers, ${RIDES_PER_SECOND} rides/s (req/s = offers delivered/s)`,
        result,
        'POST /api/rides',
        50,
        rssMb(rig.a.pid),
      ),
    ];
  },

  'realtime-location': async (ctx) => {
    const rig = await realtimeRig(ctx);
    if (!rig) return skippedNoRedis('realtime-location');
    await clearBenchRides(ctx.database);
    const pairs = await ridesUnderWay(rig);
    const result = await realtimeLoad({
      script: 'realtime-location',
      submit: rig.a.base,
      watch: rig.b.base,
      pairs,
      at: LOCATION_POINT,
      updatesPerSecond: UPDATES_PER_SECOND,
      warmUpSeconds: WARM_UP_SECONDS,
      seconds: SECONDS,
    });
    await clearBenchRides(ctx.database);
    return [
      realtimeRow(
        'realtime-location',
        `driver.location to the rider on the other process, ms after PUT /api/drivers/me/location ` +
          `answers, ${LOCATION_PAIRS} drivers on rides, ${UPDATES_PER_SECOND} reports/s (req/s = events delivered/s)`,
        result,
        'PUT /api/drivers/me/location',
        20,
        rssMb(rig.a.pid),
      ),
    ];
  },
};

/** Each pair's ride, requested by its rider and accepted by its driver through process A. */
async function ridesUnderWay(
  rig: RealtimeRig,
): Promise<{ rider: string; driver: string; rideId: number }[]> {
  const post = async (path: string, token: string, body: object) => {
    const response = await fetch(`${rig.a.base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text}`);
    return JSON.parse(text) as { ride: { id: number } };
  };
  const pairs = [];
  for (const pair of rig.accounts.pairs) {
    const { ride } = await post('/api/rides', pair.rider, {
      ...rideBody,
      pickupLatitude: LOCATION_POINT.latitude,
      pickupLongitude: LOCATION_POINT.longitude,
      destinationLatitude: LOCATION_POINT.latitude + 0.03,
      destinationLongitude: LOCATION_POINT.longitude + 0.02,
    });
    await post(`/api/rides/${ride.id}/accept`, pair.driver, {});
    pairs.push({ ...pair, rideId: ride.id });
  }
  return pairs;
}

async function main(): Promise<void> {
  const compareAt = process.argv.indexOf('--compare');
  if (compareAt >= 0) {
    const [a, b] = process.argv.slice(compareAt + 1, compareAt + 3);
    if (!a || !b) throw new Error('usage: npm run bench -- --compare A.json B.json');
    process.stdout.write(`${compare(a, b)}\n`);
    return;
  }
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = only.filter((name) => !(name in SCENARIOS));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(', ')}`,
    );
  }
  const chosen = Object.keys(SCENARIOS).filter((name) => only.length === 0 || only.includes(name));

  const { adminUrl, embedded } = await provideServer();
  const name = `swiftride_bench_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = url.toString();
  await withSql(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const servers: Server[] = [];
  const rows: Row[] = [];
  const failed: string[] = [];
  try {
    await migrateUp(database);
    await runSeeders(database, { adminUsername: ADMIN.username, adminPassword: ADMIN.password });
    const accounts = await seedAccounts(database, JWT_SECRET);
    const api = await startProcess('dist/src/main.js', apiEnv(database), '/api/health', TMP);
    servers.push(api);
    // The references serve the API's own reference-data JSON, byte for byte.
    const memory: Record<string, string> = {};
    for (const [key, path, token] of [
      ['service-types', '/api/service-types', undefined],
      ['roles', '/api/roles', accounts.admin],
    ] as const) {
      const response = await fetch(`${api.base}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (!response.ok) throw new Error(`${path} answered ${response.status}`);
      memory[`/memory/${key}`] = await response.text();
    }
    const memoryFile = join(TMP, 'memory.json');
    writeFileSync(memoryFile, JSON.stringify(memory));
    const ref = await startProcess(
      'dist/bench/reference-server.js',
      { DATABASE_URL: database, JWT_SECRET, POOL_MAX: String(POOL_MAX), MEMORY_FILE: memoryFile },
      '/memory/service-types',
      TMP,
    );
    servers.push(ref);

    const ctx: Context = {
      api,
      ref,
      database,
      accounts,
      memo: new Map(),
      hashConcurrency: loadConfig(apiEnv(database)).hashing.concurrency,
      servers,
    };
    for (const scenario of chosen) {
      log(`${scenario}…`);
      try {
        const produced = await SCENARIOS[scenario](ctx);
        const rss = rssMb(api.pid);
        rows.push(...produced.map((row) => ({ rssMb: rss, ...row })));
      } catch (error) {
        failed.push(scenario);
        log(`${scenario} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    for (const server of servers) await server.stop();
    await withSql(adminUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    );
    await embedded?.stop();
  }

  const results = {
    ...environment(),
    smoke: SMOKE,
    secondsPerScenario: SECONDS,
    connections: CONNECTIONS,
    rows,
  };
  const file = save(results);
  process.stdout.write(
    `${results.date}, Node ${results.node}, ${results.cpus} CPUs, commit ${results.commit}; ` +
      `${CONNECTIONS} connections, ${SECONDS} s per measurement, ${GEO_COUNT} geo drivers and open rides` +
      `${SMOKE ? ' (smoke)' : ''}\n\n${table(rows)}\n\nsaved: ${file}\nserver logs: ${TMP}\n`,
  );
  // The smoke run asserts that every scenario runs and answers, not what the ratios are.
  const broken = rows.filter(
    (row) =>
      row.requestsPerSecond !== undefined &&
      (row.requestsPerSecond <= 0 || (row.errors ?? 0) > 0.05 * (row.requests ?? 0)),
  );
  if (failed.length > 0 || broken.length > 0) {
    log(
      `failed: ${[...failed, ...broken.map((row) => `${row.scenario} (${row.measure})`)].join(', ')}`,
    );
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
