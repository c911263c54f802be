import { randomBytes } from 'node:crypto';
import { MetricsServer } from '../../src/metrics/metrics.server';
import { RidesService } from '../../src/rides/rides.service';
import * as argon2 from 'argon2';
import { RIDER_ROLE_ID } from '../../src/common/built-ins';
import { createTestApp, type TestApp } from '../support/app';

/** OWASP's argon2id parameters, as production hashes passwords. */
const PRODUCTION_ARGON2: argon2.HashOptions = {
  type: argon2.argon2id,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
};
import {
  connectRealtime,
  createRide,
  insertDriver,
  insertRider,
  rideAction,
  SF,
} from '../support/rides';

/**
 * Prometheus metrics as a scraper sees them: on the metrics port and behind the token, never on
 * the public API; numbers that move with the traffic that causes them.
 */

const TOKEN = randomBytes(32).toString('hex');
const WAIT_MS = 5_000;

type Labels = Record<string, string>;
interface Sample {
  name: string;
  labels: Labels;
  value: number;
}

/** The samples of a Prometheus text exposition (comments skipped). */
function parse(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a sample line: ${line}`);
      const labels: Labels = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels[key] = value;
      }
      return { name: match[1], labels, value: Number(match[3]) };
    });
}

/** The value of the one sample with this name and (at least) these labels; 0 when absent. */
function valueOf(samples: Sample[], name: string, labels: Labels = {}): number {
  const found = samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match`);
  return found[0]?.value ?? 0;
}

function metricsUrl(t: TestApp): string {
  const address = t.app.get(MetricsServer).address;
  if (!address) throw new Error('the metrics server is not listening');
  return `http://${address.address}:${address.port}/metrics`;
}

async function scrape(t: TestApp): Promise<Sample[]> {
  const response = await fetch(metricsUrl(t));
  expect(response.status).toBe(200);
  return parse(await response.text());
}

/** Scrapes until `done` holds for the samples (bounded); returns the samples that satisfied it. */
async function scrapeUntil(t: TestApp, done: (samples: Sample[]) => boolean): Promise<Sample[]> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const samples = await scrape(t);
    if (done(samples)) return samples;
    if (Date.now() > deadline)
      throw new Error(`the metrics did not get there within ${WAIT_MS} ms`);
  }
}

const requests = (route: string, status: number, method = 'GET') => ({
  name: 'swiftride_http_request_duration_seconds_count',
  labels: { method, route, status_code: String(status) },
});

describe('metrics', () => {
  let t: TestApp;

  beforeAll(async () => {
    // No dispatcher timer: the pool figures below are those of an idle app.
    t = await createTestApp({
      METRICS_PORT: '0',
      METRICS_TOKEN: TOKEN,
      DB_POOL_MAX: '3',
      DISPATCH_TICK_MS: '0',
    });
  });
  afterAll(() => t.close());

  describe('who can read them', () => {
    it('serves them on the metrics port, bound to loopback, in Prometheus text format', async () => {
      expect(t.app.get(MetricsServer).address?.address).toBe('127.0.0.1');
      const response = await fetch(metricsUrl(t));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      expect(text).toContain('# TYPE swiftride_http_request_duration_seconds histogram');
      expect(text).toContain('# TYPE swiftride_ride_transitions_total counter');
    });

    it('serves nothing else on the metrics port', async () => {
      const url = metricsUrl(t).replace(/\/metrics$/, '');
      expect((await fetch(`${url}/api/health`)).status).toBe(404);
      expect((await fetch(`${url}/`)).status).toBe(404);
      expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);
    });

    it('has no /metrics on the public port', async () => {
      const response = await t.http.get('/metrics').expect(404);
      expect(response.text).not.toContain('swiftride_');
    });

    it('refuses GET /api/metrics without the token, or with a wrong one, in the API error shape', async () => {
      // Missing, wrong, without its scheme, and an admin's access token (which is not it either).
      const attempts = [undefined, `Bearer ${'0'.repeat(64)}`, TOKEN, `Bearer ${t.adminToken}`];
      for (const authorization of attempts) {
        const call = t.http.get('/api/metrics');
        if (authorization) call.set('Authorization', authorization);
        const response = await call.expect(401);
        expect(response.body).toMatchObject({ success: false, statusCode: 401 });
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.text).not.toContain('swiftride_');
      }
    });

    it('answers GET /api/metrics with the token', async () => {
      const response = await t.http
        .get('/api/metrics')
        .set('Authorization', `Bearer ${TOKEN}`)
        .expect(200);
      expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(valueOf(parse(response.text), 'swiftride_db_pool_max')).toBe(3);
    });

    it('leaves the route out of the API docs', async () => {
      const docs = (await t.http.get('/docs-json').expect(200)).body as { paths: object };
      expect(Object.keys(docs.paths)).not.toContain('/api/metrics');
    });
  });

  describe('HTTP requests', () => {
    it('counts requests by route pattern, method and status: exactly the requests sent', async () => {
      const ok = requests('/api/service-types/:id', 200);
      const missing = requests('/api/service-types/:id', 404);
      const before = await scrape(t);
      for (const id of [1, 2, 1, 3, 2]) await t.http.get(`/api/service-types/${id}`).expect(200);
      await t.http.get('/api/service-types/999999').expect(404);
      await t.http.get('/api/service-types/999998').expect(404);

      const after = await scrapeUntil(
        t,
        (samples) =>
          valueOf(samples, missing.name, missing.labels) >=
          valueOf(before, missing.name, missing.labels) + 2,
      );
      expect(valueOf(after, ok.name, ok.labels) - valueOf(before, ok.name, ok.labels)).toBe(5);
      expect(
        valueOf(after, missing.name, missing.labels) -
          valueOf(before, missing.name, missing.labels),
      ).toBe(2);
      const sum = (samples: Sample[]) =>
        valueOf(samples, 'swiftride_http_request_duration_seconds_sum', ok.labels);
      expect(sum(after)).toBeGreaterThan(sum(before));
      const le = (samples: Sample[]) =>
        valueOf(samples, 'swiftride_http_request_duration_seconds_bucket', {
          ...ok.labels,
          le: '+Inf',
        });
      expect(le(after) - le(before)).toBe(5);
    });

    it('labels requests that match no route `unmatched`, never with their URL', async () => {
      const unmatched = requests('unmatched', 404);
      const before = valueOf(await scrape(t), unmatched.name, unmatched.labels);
      await t.http.get('/api/no-such-thing/12345').expect(404);
      await t.http.get('/api/another/path?x=1').expect(404);

      const after = await scrapeUntil(
        t,
        (samples) => valueOf(samples, unmatched.name, unmatched.labels) >= before + 2,
      );
      expect(valueOf(after, unmatched.name, unmatched.labels)).toBe(before + 2);
      const routes = new Set(after.map((sample) => sample.labels.route).filter(Boolean));
      for (const route of routes) expect(route).not.toMatch(/no-such-thing|another|\d{3,}/);
    });
  });

  it('counts ride transitions that applied, by action', async () => {
    const transitions = (samples: Sample[], action: string) =>
      valueOf(samples, 'swiftride_ride_transitions_total', { action });
    const before = await scrape(t);
    const rider = await insertRider(t);
    const [first, second] = [await insertDriver(t, { at: SF }), await insertDriver(t, { at: SF })];
    const rideId = await createRide(t, rider);
    await rideAction(t, first, rideId, 'accept').expect(200);
    // Refused: the ride is taken. A refusal is not a transition.
    await rideAction(t, second, rideId, 'accept').expect(409);
    await rideAction(t, first, rideId, 'arriving').expect(200);

    // A second ride nobody takes, left waiting past the timeout: the sweep expires it.
    const unanswered = await createRide(t, await insertRider(t));
    await t.sequelize.query(
      `UPDATE "RideRequests" SET "requestedAt" = now() - interval '1 day' WHERE id = :unanswered`,
      { replacements: { unanswered } },
    );
    // (The app's own timer may get there first; either way the sweep counts it, once.)
    await t.app.get(RidesService).expireUnanswered();

    const after = await scrape(t);
    expect(transitions(after, 'request') - transitions(before, 'request')).toBe(2);
    expect(transitions(after, 'expire') - transitions(before, 'expire')).toBe(1);
    expect(transitions(after, 'accept') - transitions(before, 'accept')).toBe(1);
    expect(transitions(after, 'arriving') - transitions(before, 'arriving')).toBe(1);
    expect(transitions(after, 'start') - transitions(before, 'start')).toBe(0);
  });

  it('shows the sockets connected to /realtime, and only admitted ones', async () => {
    const connections = (samples: Sample[]) => valueOf(samples, 'swiftride_realtime_connections');
    expect(connections(await scrape(t))).toBe(0);
    await expect(connectRealtime(t.baseUrl, 'not-a-token')).rejects.toThrow();

    const rider = await insertRider(t);
    const sockets = [
      await connectRealtime(t.baseUrl, rider.accessToken),
      await connectRealtime(t.baseUrl, rider.accessToken),
    ];
    try {
      expect(connections(await scrapeUntil(t, (samples) => connections(samples) === 2))).toBe(2);
      sockets[0].close();
      expect(connections(await scrapeUntil(t, (samples) => connections(samples) === 1))).toBe(1);
    } finally {
      for (const socket of sockets) socket.close();
    }
    expect(connections(await scrapeUntil(t, (samples) => connections(samples) === 0))).toBe(0);
  });

  it('shows database connections in use and callers waiting for one', async () => {
    const pool = (samples: Sample[]) => ({
      inUse: valueOf(samples, 'swiftride_db_pool_in_use'),
      waiting: valueOf(samples, 'swiftride_db_pool_waiting'),
      max: valueOf(samples, 'swiftride_db_pool_max'),
    });
    expect(pool(await scrape(t))).toEqual({ inUse: 0, waiting: 0, max: 3 });

    // Hold all three of the app's connections in transactions; a fourth caller has to wait.
    const releases: Array<() => void> = [];
    const transactions: Promise<void>[] = [];
    await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<void>((began) => {
            transactions.push(
              t.sequelize.transaction(
                () =>
                  new Promise<void>((release) => {
                    releases.push(release);
                    began();
                  }),
              ),
            );
          }),
      ),
    );
    const waiting = t.sequelize.query('SELECT 1');
    try {
      const busy = await scrapeUntil(t, (samples) => pool(samples).waiting === 1);
      expect(pool(busy)).toEqual({ inUse: 3, waiting: 1, max: 3 });
    } finally {
      for (const release of releases) release();
    }
    await Promise.all([...transactions, waiting]);
    expect(pool(await scrape(t))).toMatchObject({ inUse: 0, waiting: 0 });
  });

  it('shows password hashes in flight while logins run, and none after', async () => {
    const inFlight = (samples: Sample[]) => valueOf(samples, 'swiftride_password_hashes_in_flight');
    // Tests hash at argon2's minimum cost, too fast to be seen in flight; a verification costs
    // what the stored hash says, so this account's production-cost hash keeps each login busy.
    const username = 'metrics-slow-hash';
    await t.sequelize.query(
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       VALUES (:username, :password, :roleId, now(), now())`,
      {
        replacements: {
          username,
          password: await argon2.hash('the password', PRODUCTION_ARGON2),
          roleId: RIDER_ROLE_ID,
        },
      },
    );
    expect(inFlight(await scrape(t))).toBe(0);
    const logins = Array.from({ length: 8 }, () =>
      t.http
        .post('/api/auth/login')
        .send({ username, password: 'not the password' })
        .then((response) => response.status),
    );
    // Sent at once (each `.then` sends): watch the gauge while they run.
    const statuses = Promise.all(logins);
    const busy = await scrapeUntil(t, (samples) => inFlight(samples) > 0);
    expect(inFlight(busy)).toBeGreaterThan(0);
    expect(await statuses).toEqual(Array(8).fill(401));
    expect(inFlight(await scrape(t))).toBe(0);
  });

  it('includes the process metrics, event loop lag among them', async () => {
    const samples = await scrape(t);
    for (const name of [
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(samples.some((sample) => sample.name === name)).toBe(true);
    }
  });

  describe('a second app in the same process, without a token', () => {
    let other: TestApp;
    beforeAll(async () => {
      other = await createTestApp({ METRICS_PORT: '0' });
    });
    afterAll(() => other.close());

    it('has no /api/metrics route at all: the same 404 as any unknown path', async () => {
      const metrics = await other.http.get('/api/metrics').expect(404);
      const unknown = await other.http.get('/api/nothing-here').expect(404);
      expect(metrics.body.error).toBe(unknown.body.error);
      await other.http.get('/api/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    });

    it('keeps its own counts on its own port', async () => {
      expect(metricsUrl(other)).not.toBe(metricsUrl(t));
      const route = requests('/api/health/live', 200);
      const [mine, theirs] = [await scrape(other), await scrape(t)];
      await other.http.get('/api/health/live').expect(200);
      await other.http.get('/api/health/live').expect(200);
      const after = await scrapeUntil(
        other,
        (samples) =>
          valueOf(samples, route.name, route.labels) >= valueOf(mine, route.name, route.labels) + 2,
      );
      expect(
        valueOf(after, route.name, route.labels) - valueOf(mine, route.name, route.labels),
      ).toBe(2);
      expect(valueOf(await scrape(t), route.name, route.labels)).toBe(
        valueOf(theirs, route.name, route.labels),
      );
    });
  });
});
