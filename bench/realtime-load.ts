import { readFileSync } from 'node:fs';
import type { Socket } from 'socket.io-client';
import { percentile, sleep } from './common';
import { connectRealtime, eachLimited } from './simulate/client';

/**
 * The realtime scenarios' clients, a process of their own so their CPU is not the servers':
 * `node realtime-load.js <spec.json>` prints one JSON result. Sockets, requests and arrivals share
 * one clock (performance.now()), so "after the response" is measured without comparing clocks.
 */

/** Riders request rides through `submit`; every driver, connected to `bases` in turn, should get each offer. */
export interface OfferSpec {
  script: 'realtime-offer';
  submit: string;
  bases: string[];
  drivers: string[];
  riders: string[];
  ride: object;
  /** Rides requested a second, over all riders, at steady intervals. */
  ridesPerSecond: number;
  warmUpSeconds: number;
  seconds: number;
}

/** Drivers on rides report positions through `submit`; their riders listen on `watch`. */
export interface LocationSpec {
  script: 'realtime-location';
  submit: string;
  watch: string;
  pairs: { rider: string; driver: string; rideId: number }[];
  at: { latitude: number; longitude: number };
  /** Updates a second, over all drivers, at steady intervals. */
  updatesPerSecond: number;
  warmUpSeconds: number;
  seconds: number;
}

export type RealtimeSpec = OfferSpec | LocationSpec;

export interface RealtimeResult {
  /** Requests measured (rides requested, or locations reported) and how many failed. */
  sent: number;
  errors: number;
  /** The requests' own latency, from sending to the response. */
  request: { p50: number; p99: number };
  /** Events that should have arrived (one per driver per ride, or one per location) and did. */
  expected: number;
  delivered: number;
  /** ms from the response to the event; an event that came first counts 0 (and in `early`). */
  p50: number;
  p99: number;
  max: number;
  early: number;
  deliveredPerSecond: number;
}

/** How long after the last response an event may still come and be counted. */
const GRACE_MS = 2_000;
/** Sockets opened at once: each handshake checks a token on the server. */
const CONNECTING = 20;

interface Answer {
  status: number;
  body: string;
}

async function call(base: string, method: string, path: string, token: string, body: object) {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }).then(
    async (r): Promise<Answer> => ({ status: r.status, body: await r.text() }),
    (error: Error): Answer => ({ status: 0, body: error.message }),
  );
  return { ...response, started, answered: performance.now() };
}

/** Opens one socket per token, at `bases[i % bases.length]`; closes them all if one is refused. */
async function connectAll(bases: string[], tokens: string[]): Promise<Socket[]> {
  const sockets: Socket[] = new Array<Socket>(tokens.length);
  try {
    await eachLimited(tokens, CONNECTING, async (token, i) => {
      sockets[i] = await connectRealtime(bases[i % bases.length], token);
    });
  } catch (error) {
    closeAll(sockets);
    throw error;
  }
  return sockets;
}

function closeAll(sockets: Socket[]): void {
  for (const socket of sockets) socket?.close();
}

/**
 * Runs `work(slot)` from each of `loops` loops, loop i starting at i / perSecond and repeating
 * every loops / perSecond seconds (so `perSecond` over all of them), until `until`. A loop that
 * falls behind goes on at once, without catching up.
 */
async function paced(
  loops: number,
  perSecond: number,
  until: number,
  work: (loop: number, slot: number) => Promise<void>,
): Promise<void> {
  const start = performance.now();
  const period = (loops / perSecond) * 1000;
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      let slot = start + (loop / perSecond) * 1000;
      while (slot < until) {
        await sleep(Math.max(0, slot - performance.now()));
        await work(loop, slot);
        slot = Math.max(slot + period, performance.now());
      }
    }),
  );
}

/** Until `done()` holds or GRACE_MS have passed: events may still be on their way. */
async function settled(done: () => boolean): Promise<void> {
  const deadline = performance.now() + GRACE_MS;
  while (!done() && performance.now() < deadline) await sleep(10);
}

interface Measured {
  respondedAt: number;
  arrivals: number[];
  expected: number;
}

function summarise(
  measured: Measured[],
  requests: number[],
  errors: number,
  seconds: number,
): RealtimeResult {
  const delays: number[] = [];
  let early = 0;
  for (const one of measured) {
    for (const at of one.arrivals) {
      if (at < one.respondedAt) early += 1;
      delays.push(Math.max(0, at - one.respondedAt));
    }
  }
  return {
    sent: requests.length,
    errors,
    request: { p50: percentile(requests, 50), p99: percentile(requests, 99) },
    expected: measured.reduce((sum, one) => sum + one.expected, 0),
    delivered: delays.length,
    p50: percentile(delays, 50),
    p99: percentile(delays, 99),
    max: delays.length === 0 ? NaN : Math.max(...delays),
    early,
    deliveredPerSecond: delays.length / seconds,
  };
}

const RIDE_ID = /"id":(\d+)/;
/** The API's 409 for a second active ride names it: "You already have an active ride (ride 41, …)". */
const STILL_ACTIVE = /\(ride (\d+),/;

async function runOffer(spec: OfferSpec): Promise<RealtimeResult> {
  /** Arrival times by ride id, then by driver: a driver offered a ride twice counts once. */
  const arrivals = new Map<number, Map<number, number>>();
  const waiting = new Map<number, () => void>();
  const sockets = await connectAll(spec.bases, spec.drivers);
  try {
    sockets.forEach((socket, driver) =>
      socket.on('ride.offered', (payload: { ride: { id: number } }) => {
        const at = performance.now();
        const id = payload.ride.id;
        const byDriver = arrivals.get(id) ?? new Map<number, number>();
        arrivals.set(id, byDriver);
        if (!byDriver.has(driver)) byDriver.set(driver, at);
        if (byDriver.size === spec.drivers.length) waiting.get(id)?.();
      }),
    );
    const allOffered = (id: number) =>
      new Promise<void>((resolve) => {
        if (arrivals.get(id)?.size === spec.drivers.length) return resolve();
        const timer = setTimeout(resolve, GRACE_MS);
        waiting.set(id, () => (clearTimeout(timer), resolve()));
      });

    const measureFrom = performance.now() + spec.warmUpSeconds * 1000;
    const until = measureFrom + spec.seconds * 1000;
    const rides: { id: number; respondedAt: number }[] = [];
    const requests: number[] = [];
    let errors = 0;
    await paced(spec.riders.length, spec.ridesPerSecond, until, async (rider, slot) => {
      const token = spec.riders[rider];
      const created = await call(spec.submit, 'POST', '/api/rides', token, spec.ride);
      const counted = slot >= measureFrom;
      if (counted) requests.push(created.answered - created.started);
      const id = Number(RIDE_ID.exec(created.body)?.[1]);
      if (created.status !== 201 || !id) {
        if (counted) errors += 1;
        // A ride left over (a cancel that failed) is cancelled, so the next request can go.
        const left = STILL_ACTIVE.exec(created.body)?.[1];
        if (left) await call(spec.submit, 'POST', `/api/rides/${left}/cancel`, token, {});
        return;
      }
      if (counted) rides.push({ id, respondedAt: created.answered });
      await allOffered(id);
      waiting.delete(id);
      await call(spec.submit, 'POST', `/api/rides/${id}/cancel`, token, {});
    });
    return summarise(
      rides.map((ride) => ({
        respondedAt: ride.respondedAt,
        arrivals: [...(arrivals.get(ride.id)?.values() ?? [])],
        expected: spec.drivers.length,
      })),
      requests,
      errors,
      spec.seconds,
    );
  } finally {
    closeAll(sockets);
  }
}

async function runLocation(spec: LocationSpec): Promise<RealtimeResult> {
  /** Arrival times by ride id, then by latitude: each report has a latitude of its own. */
  const arrivals = new Map<number, Map<string, number>>();
  const key = (latitude: number) => latitude.toFixed(7);
  const sockets = await connectAll(
    [spec.watch],
    spec.pairs.map((pair) => pair.rider),
  );
  try {
    for (const socket of sockets) {
      socket.on('driver.location', (payload: { rideId: number; latitude: number }) => {
        const at = performance.now();
        const byLatitude = arrivals.get(payload.rideId) ?? new Map<string, number>();
        arrivals.set(payload.rideId, byLatitude);
        if (!byLatitude.has(key(payload.latitude))) byLatitude.set(key(payload.latitude), at);
      });
    }
    const measureFrom = performance.now() + spec.warmUpSeconds * 1000;
    const until = measureFrom + spec.seconds * 1000;
    const reports: { rideId: number; latitude: string; respondedAt: number }[] = [];
    const requests: number[] = [];
    const sequence = spec.pairs.map(() => 0);
    let errors = 0;
    await paced(spec.pairs.length, spec.updatesPerSecond, until, async (pair, slot) => {
      const { driver, rideId } = spec.pairs[pair];
      sequence[pair] += 1;
      // A step of about 1 m a report, away from the point and back every 1,000 reports.
      const latitude = spec.at.latitude + (sequence[pair] % 1_000) * 1e-5;
      const position = { latitude, longitude: spec.at.longitude };
      const put = await call(spec.submit, 'PUT', '/api/drivers/me/location', driver, position);
      if (slot < measureFrom) return;
      requests.push(put.answered - put.started);
      if (put.status !== 200) {
        errors += 1;
        return;
      }
      reports.push({ rideId, latitude: key(latitude), respondedAt: put.answered });
    });
    const arrived = (report: (typeof reports)[number]) =>
      arrivals.get(report.rideId)?.has(report.latitude) === true;
    await settled(() => reports.every(arrived));
    return summarise(
      reports.map((report) => {
        const at = arrivals.get(report.rideId)?.get(report.latitude);
        return {
          respondedAt: report.respondedAt,
          arrivals: at === undefined ? [] : [at],
          expected: 1,
        };
      }),
      requests,
      errors,
      spec.seconds,
    );
  } finally {
    closeAll(sockets);
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as RealtimeSpec;
  const result = spec.script === 'realtime-offer' ? await runOffer(spec) : await runLocation(spec);
  // socket.io-client's timers would keep the process alive a while after the sockets close.
  process.stdout.write(JSON.stringify(result), () => process.exit(0));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
