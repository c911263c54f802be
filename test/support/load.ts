import { randomInt } from 'node:crypto';
import { signJwt, nowInSeconds } from './jwt';
import { withClient } from './postgres';
import { uniqueUsername } from './accounts';

/** Steady traffic against an API process for fault tests: every request timed, none unbounded. */

export interface Outcome {
  method: string;
  path: string;
  /** HTTP status, or `hang` (no answer within the request's limit), or `network` (no HTTP answer). */
  status: number | 'hang' | 'network';
  ms: number;
  body?: unknown;
  /** The connection-level error, for `network` outcomes. */
  error?: string;
}

/** Far beyond any acceptable answer time: a request still open then is counted as hanging. */
export const HANG_MS = 5_000;

export async function timedRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Outcome> {
  const started = performance.now();
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(HANG_MS),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text for the failure message
    }
    return { method, path, status: response.status, ms: performance.now() - started, body };
  } catch (error) {
    const name = (error as Error).name;
    const hang = name === 'TimeoutError' || name === 'AbortError';
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return {
      method,
      path,
      status: hang ? 'hang' : 'network',
      ms: performance.now() - started,
      error: cause?.code ?? cause?.message ?? (error as Error).message,
    };
  }
}

/** Waits for `condition`, checking every 50 ms, for at most `ms`; fails with `what` otherwise. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Riders written straight to the database, with tokens signed by the API's own secret. */
export async function insertRiders(
  databaseUrl: string,
  jwtSecret: string,
  count: number,
): Promise<{ id: number; token: string }[]> {
  return withClient(databaseUrl, async (client) => {
    const riders: { id: number; token: string }[] = [];
    for (let index = 0; index < count; index += 1) {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
         VALUES ($1, '!', 1, now(), now()) RETURNING id`,
        [uniqueUsername('load-rider')],
      );
      riders.push({ id: rows[0].id, token: accessToken(jwtSecret, rows[0].id, 1) });
    }
    return riders;
  });
}

/** Lives as long as the API's own tokens (JWT_ACCESS_TTL_SECONDS' default): it refuses longer. */
export function accessToken(jwtSecret: string, userId: number, roleId: number): string {
  const iat = nowInSeconds();
  return signJwt({ sub: String(userId), userId, roleId, iat, exp: iat + 900 }, jwtSecret);
}

/** A trip a few km long somewhere in San Francisco, different for each call. */
export function trip() {
  const latitude = 37.7 + randomInt(1_000) / 10_000;
  const longitude = -122.45 + randomInt(1_000) / 10_000;
  return {
    pickupLatitude: latitude,
    pickupLongitude: longitude,
    pickupAddress: '1 Market St, San Francisco',
    destinationLatitude: latitude + 0.03,
    destinationLongitude: longitude + 0.02,
    destinationAddress: '2 Broadway, Oakland',
  };
}

export interface RideLoad {
  outcomes: Outcome[];
  /** Ids of rides the API answered 201 for. */
  acknowledged: number[];
  stop(): Promise<void>;
}

/**
 * One loop per rider: request a ride, cancel it, again, until stopped or `maxRequests` requests
 * in all (a bound, not a target). A ride whose cancel failed is cancelled before the next request.
 */
export function rideLoad(
  baseUrl: string,
  riders: { token: string }[],
  maxRequests = 20_000,
): RideLoad {
  const outcomes: Outcome[] = [];
  const acknowledged: number[] = [];
  let stopped = false;
  const loop = async (rider: { token: string }) => {
    let toCancel: number | undefined;
    while (!stopped && outcomes.length < maxRequests) {
      if (toCancel !== undefined) {
        const cancel = await timedRequest(baseUrl, 'POST', `/api/rides/${toCancel}/cancel`, {
          token: rider.token,
          body: {},
        });
        outcomes.push(cancel);
        if (cancel.status === 200) toCancel = undefined;
        continue;
      }
      const created = await timedRequest(baseUrl, 'POST', '/api/rides', {
        token: rider.token,
        body: trip(),
      });
      outcomes.push(created);
      if (created.status === 201) {
        toCancel = (created.body as { ride: { id: number } }).ride.id;
        acknowledged.push(toCancel);
      } else if (created.status === 409) {
        // A ride stored though its answer was lost (the database went away after the commit).
        const active = /active ride \(ride (\d+)/.exec(
          (created.body as { message: string }).message,
        );
        if (active) toCancel = Number(active[1]);
      }
    }
  };
  const loops = Promise.all(riders.map(loop));
  return {
    outcomes,
    acknowledged,
    async stop() {
      stopped = true;
      await loops;
    },
  };
}
