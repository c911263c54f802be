import { readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import * as argon2 from 'argon2';
import autocannon from 'autocannon';
import { percentile } from './common';

/**
 * The load generator, a process of its own so that its CPU is not the server's: `node load.js
 * <spec.json>` prints one JSON result. Scripts beyond one fixed request give every connection its
 * own caller (a rider, a driver) or every request a random one, which autocannon's CLI cannot.
 */
export interface Sent {
  method?: 'GET' | 'POST' | 'PUT';
  path: string;
  body?: unknown;
}

export type LoadSpec = {
  base: string;
  connections: number;
  seconds: number;
  /**
   * Requests per second over all connections, evenly spaced whatever the answers (`fixed` and
   * `random-caller` only; see runSteady); as fast as each connection is answered when absent.
   */
  rate?: number;
} & (
  | ({ script: 'fixed'; token?: string } & Sent)
  /**
   * Each request from a random one of `tokens`; with `jitterBody` a body near the centre, with
   * `randomPoint` `?latitude=…&longitude=…` anywhere in the metro area.
   */
  | ({
      script: 'random-caller';
      tokens: string[];
      jitterBody?: boolean;
      randomPoint?: { latitude: number; longitude: number; spread: number };
    } & Sent)
  /** Each connection its own rider: request, then cancel the ride it got. */
  | {
      script: 'ride-cycle';
      tokens: string[];
      create: Sent;
      /** `{id}` stands for the ride's id. */
      cancelPath: string;
    }
  /** Each connection a rider and a driver: request, accept, arriving, start, complete. */
  | { script: 'lifecycle'; pairs: { rider: string; driver: string }[]; create: Sent }
  /** Raw argon2.verify at `connections` concurrency, same parameters as the API's hasher. */
  | { script: 'argon2'; password: string }
  /** service types, token check, ride request + cancel, a location, available types, in turn. */
  | {
      script: 'mix';
      riders: string[];
      drivers: string[];
      create: Sent;
      cancelPath: string;
    }
);

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  /** lifecycle only: rides completed a second, and p50/p99 per step. */
  completedPerSecond?: number;
  steps?: Record<string, { p50: number; p99: number }>;
  /** Steady rates only: every answered request's latency, for pooling several runs. */
  latencies?: number[];
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const ID = /"id":(\d+)/;
/** The API's 409 for a second active ride: "You already have an active ride (ride 41, …)". */
const STILL_ACTIVE = /\(ride (\d+),/;

function jitter(): { latitude: number; longitude: number } {
  return {
    latitude: 37.7749 + (Math.random() - 0.5) * 0.02,
    longitude: -122.4194 + (Math.random() - 0.5) * 0.02,
  };
}

function randomPoint(area: { latitude: number; longitude: number; spread: number }): string {
  const latitude = area.latitude + (Math.random() - 0.5) * 2 * area.spread;
  const longitude = area.longitude + (Math.random() - 0.5) * 2 * area.spread;
  return `latitude=${latitude.toFixed(5)}&longitude=${longitude.toFixed(5)}`;
}

type Request = autocannon.Request;
type Context = Record<string, unknown>;

function request(sent: Sent, token?: string): Request {
  return {
    method: sent.method ?? 'GET',
    path: sent.path,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(sent.body !== undefined ? JSON_HEADERS : {}),
    },
    body: sent.body !== undefined ? JSON.stringify(sent.body) : undefined,
  };
}

/**
 * Callers a connection holds for one pass over its requests. autocannon clears a connection's
 * context each time its list starts over, so a caller kept there would change at every pass, and
 * two connections could act as one rider at once (the second's request then meets the first's
 * ride: 409). A connection takes a caller no other holds and gives it back at the end of its pass.
 */
class Callers {
  private readonly free: string[];
  private next = 0;

  constructor(private readonly all: string[]) {
    this.free = [...all];
  }

  /** The connection's caller for this pass. */
  of(context: Context): string {
    // Only if a connection was cut off mid-pass (a timeout) and never gave its caller back.
    context.token ??= this.free.shift() ?? this.all[this.next++ % this.all.length];
    return context.token as string;
  }

  /** The pass is over: its caller is free for any connection. */
  release(context: Context): void {
    if (context.token === undefined) return;
    this.free.push(context.token as string);
    context.token = undefined;
  }
}

function withToken(req: Request, token: string): Request {
  return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } };
}

function requestsOf(spec: LoadSpec): Request[] {
  switch (spec.script) {
    case 'fixed':
      return [request(spec, spec.token)];
    case 'random-caller':
      return [
        {
          ...request(spec),
          setupRequest: (req: Request) => ({
            ...withToken(req, spec.tokens[Math.floor(Math.random() * spec.tokens.length)]),
            ...(spec.jitterBody ? { body: JSON.stringify(jitter()) } : {}),
            ...(spec.randomPoint ? { path: `${spec.path}?${randomPoint(spec.randomPoint)}` } : {}),
          }),
        },
      ];
    case 'ride-cycle':
    case 'mix': {
      const riders = new Callers(spec.script === 'mix' ? spec.riders : spec.tokens);
      const cancel: Request = {
        ...request({ method: 'POST', path: spec.cancelPath, body: {} }),
        setupRequest: (req: Request, context: Context) => ({
          ...withToken(req, riders.of(context)),
          path: spec.cancelPath.replace('{id}', String(context.rideId)),
        }),
      };
      const cycle: Request[] = [
        {
          ...request(spec.create),
          setupRequest: (req: Request, context: Context) => withToken(req, riders.of(context)),
          // A rider whose last cycle was cut off (the end of a warm-up) still has that ride: the
          // 409 names it, and cancelling it puts the connection back in step.
          onResponse: (_status: number, body: string, context: Context) => {
            context.rideId = (ID.exec(body) ?? STILL_ACTIVE.exec(body))?.[1] ?? '0';
          },
        },
        spec.script === 'ride-cycle'
          ? { ...cancel, onResponse: (_status, _body, context) => riders.release(context) }
          : cancel,
      ];
      if (spec.script === 'ride-cycle') return cycle;
      const asRider = (path: string): Request => ({
        ...request({ path }),
        setupRequest: (req: Request, context: Context) => withToken(req, riders.of(context)),
      });
      return [
        request({ path: '/api/service-types' }),
        asRider('/api/auth/secure-route'),
        cycle[0],
        {
          ...request({ method: 'PUT', path: '/api/drivers/me/location', body: jitter() }),
          setupRequest: (req: Request) => ({
            ...withToken(req, spec.drivers[Math.floor(Math.random() * spec.drivers.length)]),
            body: JSON.stringify(jitter()),
          }),
        },
        cycle[1],
        {
          ...asRider('/api/rides/available-service-types'),
          onResponse: (_status: number, _body: string, context: Context) => riders.release(context),
        },
      ];
    }
    case 'lifecycle':
    case 'argon2':
      throw new Error(`${spec.script} runs without autocannon`);
  }
}

async function runAutocannon(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.base,
    connections: spec.connections,
    duration: spec.seconds,
    requests: requestsOf(spec),
  });
  return {
    requestsPerSecond: result.requests.total / spec.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.non2xx,
  };
}

type SteadySpec = Extract<LoadSpec, { script: 'fixed' | 'random-caller' }>;

/** How long a steady request may take before it counts as an error, as autocannon's default. */
const STEADY_TIMEOUT_MS = 10_000;

/**
 * `rate` requests a second, one every 1/rate s whether or not the earlier ones were answered, over
 * at most `connections` kept-alive connections. Each is sent once it is due, never before (timers
 * may fire a millisecond early), and its latency runs from then to the end of its answer, so a
 * request that waits for a free connection counts its wait while this process's own lateness does
 * not count. As with autocannon, only answers below 400 give latencies; the rest, failures and
 * requests past STEADY_TIMEOUT_MS are errors. autocannon's own `rate`
 * does otherwise: each connection sends its share for the second back to back as the second
 * starts, then idles, and its histogram corrects for coordinated omission as if a request were
 * due every millisecond. A route answering in half a millisecond showed a p99 of 11 to 34 ms at
 * rest that way, which hid how much a load beside it added.
 */
async function runSteady(spec: SteadySpec): Promise<LoadResult> {
  const rate = spec.rate!;
  const target = new URL(spec.base);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });
  const [shape] = requestsOf(spec);
  const latencies: number[] = [];
  let errors = 0;
  const fire = () =>
    new Promise<void>((resolve) => {
      const sent = (shape.setupRequest?.({ ...shape }, {}) ?? shape) as Request;
      const started = performance.now();
      let settled = false;
      const settle = (latency?: number) => {
        if (settled) return;
        settled = true;
        if (latency === undefined) errors += 1;
        else latencies.push(latency);
        resolve();
      };
      const req = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: sent.method,
          path: sent.path,
          headers: sent.headers as Record<string, string>,
          agent,
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            settle((response.statusCode ?? 0) < 400 ? performance.now() - started : undefined),
          );
        },
      );
      req.setTimeout(STEADY_TIMEOUT_MS, () => req.destroy(new Error('timed out')));
      req.on('error', () => settle());
      // A connection cut mid-answer ends neither the answer nor the request with an error.
      req.on('close', () => settle());
      req.end(sent.body);
    });
  const total = Math.round(spec.seconds * rate);
  const start = performance.now() + 10;
  const answers: Promise<void>[] = [];
  for (let n = 0; n < total; n += 1) {
    const due = start + (n * 1000) / rate;
    for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
      await new Promise((resolve) =>
        wait > 1 ? setTimeout(resolve, wait - 1) : setImmediate(resolve),
      );
    }
    answers.push(fire());
  }
  await Promise.all(answers);
  agent.destroy();
  return {
    requestsPerSecond: latencies.length / spec.seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
    errors,
    latencies,
  };
}

/** Runs `step` from `workers` loops until the deadline; the latency of each call, by step. */
async function loop(
  workers: number,
  seconds: number,
  step: (worker: number, record: (name: string, ms: number) => void) => Promise<void>,
): Promise<Map<string, number[]>> {
  const deadline = Date.now() + seconds * 1000;
  const latencies = new Map<string, number[]>();
  const record = (name: string, ms: number) => {
    if (!latencies.has(name)) latencies.set(name, []);
    latencies.get(name)!.push(ms);
  };
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (Date.now() < deadline) await step(worker, record);
    }),
  );
  return latencies;
}

function summarise(latencies: Map<string, number[]>, seconds: number, errors: number): LoadResult {
  const all = [...latencies.values()].flat();
  return {
    requestsPerSecond: all.length / seconds,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    requests: all.length,
    errors,
  };
}

async function runLifecycle(spec: Extract<LoadSpec, { script: 'lifecycle' }>): Promise<LoadResult> {
  let errors = 0;
  let completed = 0;
  const call = async (
    record: (name: string, ms: number) => void,
    name: string,
    token: string,
    sent: Sent,
  ): Promise<string | undefined> => {
    const started = performance.now();
    const response = await fetch(`${spec.base}${sent.path}`, {
      method: sent.method ?? 'POST',
      headers: { authorization: `Bearer ${token}`, ...JSON_HEADERS },
      body: JSON.stringify(sent.body ?? {}),
    }).catch(() => undefined);
    const body = response ? await response.text() : '';
    record(name, performance.now() - started);
    if (!response?.ok) {
      errors += 1;
      return undefined;
    }
    return body;
  };
  const workers = Math.min(spec.connections, spec.pairs.length);
  const latencies = await loop(workers, spec.seconds, async (worker, record) => {
    const { rider, driver } = spec.pairs[worker];
    const created = await call(record, 'request', rider, spec.create);
    const id = created && ID.exec(created)?.[1];
    if (!id) return;
    for (const step of ['accept', 'arriving', 'start', 'complete']) {
      if (!(await call(record, step, driver, { path: `/api/rides/${id}/${step}` }))) {
        await call(record, 'cancel', rider, { path: `/api/rides/${id}/cancel` });
        return;
      }
    }
    completed += 1;
  });
  return {
    ...summarise(latencies, spec.seconds, errors),
    completedPerSecond: completed / spec.seconds,
    steps: Object.fromEntries(
      [...latencies].map(([name, ms]) => [
        name,
        { p50: percentile(ms, 50), p99: percentile(ms, 99) },
      ]),
    ),
  };
}

/** The API's parameters (src/users/password-hasher.ts): argon2id, 19 MiB, two passes, one lane. */
async function runArgon2(spec: Extract<LoadSpec, { script: 'argon2' }>): Promise<LoadResult> {
  const hash = await argon2.hash(spec.password, {
    type: argon2.argon2id,
    memoryCost: 19 * 1024,
    timeCost: 2,
    parallelism: 1,
  });
  let errors = 0;
  const latencies = await loop(spec.connections, spec.seconds, async (_worker, record) => {
    const started = performance.now();
    if (!(await argon2.verify(hash, spec.password))) errors += 1;
    record('verify', performance.now() - started);
  });
  return summarise(latencies, spec.seconds, errors);
}

async function main(): Promise<void> {
  const spec = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadSpec;
  const steady = spec.script === 'fixed' || spec.script === 'random-caller';
  if (spec.rate !== undefined && !steady) throw new Error(`no rate for ${spec.script}`);
  const result =
    spec.script === 'lifecycle'
      ? await runLifecycle(spec)
      : spec.script === 'argon2'
        ? await runArgon2(spec)
        : steady && spec.rate !== undefined
          ? await runSteady(spec)
          : await runAutocannon(spec);
  process.stdout.write(JSON.stringify(result));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
