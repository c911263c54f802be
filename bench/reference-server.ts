import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import { NEARBY_SQL, OPEN_RIDES_SQL, STALE_SECONDS } from './geo-sql';

/**
 * The bare references, a process of its own like the API: `node:http` + `pg` (a pool the API's
 * size) running the same SQL as the API's routes, and the API's own reference-data JSON from
 * memory. Routes the API serves to signed-in callers only check the token's HS256 signature as the
 * API does, and the roles, an admin's only, the role in it too. No framework, no validation beyond
 * what the SQL needs: the floor the API's overhead is measured against.
 * Env: DATABASE_URL, JWT_SECRET, PORT, POOL_MAX, MEMORY_FILE (path → JSON body, served as is).
 */
const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.POOL_MAX),
});
const secret = process.env.JWT_SECRET!;
const memory = new Map<string, Buffer>(
  Object.entries(
    JSON.parse(readFileSync(process.env.MEMORY_FILE!, 'utf8')) as Record<string, string>,
  ).map(([path, body]) => [path, Buffer.from(body)]),
);

const SQL = {
  serviceTypes: `SELECT * FROM "ServiceTypes" WHERE "isActive" = true ORDER BY id`,
  roleCount: `SELECT count(*)::int AS count FROM "Roles"`,
  roles: `SELECT id, name, "createdAt", "updatedAt",
    (SELECT count(*) FROM "Users" u WHERE u."roleId" = r.id)::int AS "userCount"
    FROM "Roles" r ORDER BY id LIMIT 20 OFFSET 0`,
  caller: `SELECT u.id, u."roleId", r.name AS role FROM "Users" u JOIN "Roles" r ON r.id = u."roleId" WHERE u.id = $1`,
  me: `SELECT u.id, u.username, u."roleId", r.name AS role, u."createdAt", u."updatedAt",
    to_jsonb(p) AS profile
    FROM "Users" u JOIN "Roles" r ON r.id = u."roleId" LEFT JOIN "DriverProfiles" p ON p."userId" = u.id
    WHERE u.id = $1`,
  available: `SELECT * FROM "ServiceTypes" t WHERE t."isActive" = true
    AND EXISTS (SELECT 1 FROM "DriverProfiles" d WHERE d."serviceTypeId" = t.id AND d."isOnline")
    ORDER BY t.id`,
  insertRide: `INSERT INTO "RideRequests" ("riderId", "serviceTypeId", "pickupLatitude", "pickupLongitude",
      "pickupAddress", "destinationLatitude", "destinationLongitude", "destinationAddress", status,
      "estimatedDistanceMiles", "estimatedDurationMinutes", "estimatedFare", "requestedAt", "createdAt", "updatedAt")
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'REQUESTED', 3.1, 9, 14.5, now(), now(), now()) RETURNING *`,
  cancelRide: `UPDATE "RideRequests" SET status = 'CANCELLED', "cancelledAt" = clock_timestamp(),
      "updatedAt" = clock_timestamp(), "cancelledBy" = 'rider', "cancelReason" = NULL
    WHERE id = $1 AND "riderId" = $2 AND status IN ('REQUESTED', 'ACCEPTED', 'ARRIVING') RETURNING *`,
  position: `SELECT "isOnline", "serviceTypeId", latitude, longitude,
      coalesce("locationUpdatedAt" > now() - make_interval(secs => ${STALE_SECONDS}), false) AS fresh
    FROM "DriverProfiles" WHERE "userId" = $1`,
  openRides: OPEN_RIDES_SQL,
  nearby: NEARBY_SQL,
  location: `UPDATE "DriverProfiles" SET latitude = $2, longitude = $3,
      "locationUpdatedAt" = now(), "updatedAt" = now()
    WHERE "userId" = $1 AND ("isOnline" OR false)
    RETURNING latitude, longitude, "locationUpdatedAt" AS "updatedAt"`,
  underWay: `SELECT id, "riderId" FROM "RideRequests"
    WHERE "driverId" = $1 AND status IN ('ACCEPTED', 'ARRIVING', 'IN_PROGRESS')`,
};

/** What the API serves to an admin only (`GET /api/roles`), from memory and by SQL. */
const ADMIN_ONLY = new Set(['/memory/roles', '/sql/roles']);
const UNCHECKED = '/unchecked';
/** Read before the server listens (see the end). */
let adminRoleId: number | undefined;

interface Claims {
  userId: number;
  roleId: number;
}

/** The claims of a valid HS256 bearer token, as the API checks it; undefined otherwise. */
function callerClaims(request: IncomingMessage): Claims | undefined {
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  const [header, payload, signature] = token?.split('.') ?? [];
  if (!signature) return undefined;
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Claims & {
    exp: number;
  };
  return claims.exp * 1000 > Date.now() ? claims : undefined;
}

function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {}));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': bytes.length,
  });
  response.end(bytes);
}

async function rows(sql: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  return (await pool.query(sql, values)).rows as Record<string, unknown>[];
}

/** The same as a named statement, parsed once per connection and planned once, as the API runs it. */
async function namedRows(
  name: string,
  sql: string,
  values: unknown[],
): Promise<Record<string, unknown>[]> {
  return (await pool.query({ name, text: sql, values })).rows as Record<string, unknown>[];
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://bench');
  const path = url.pathname;
  // `/unchecked/memory/roles`: the same without the admin's check, as earlier runs had it.
  const unchecked = path.startsWith(UNCHECKED);
  const fromMemory = memory.get(unchecked ? path.slice(UNCHECKED.length) : path);
  const adminOnly = ADMIN_ONLY.has(path);
  if (fromMemory && !adminOnly) return send(response, 200, fromMemory);
  if (path === '/sql/service-types') return send(response, 200, await rows(SQL.serviceTypes));

  const claims = callerClaims(request);
  if (!claims) return send(response, 401, { message: 'invalid token' });
  if (adminOnly && claims.roleId !== adminRoleId) return send(response, 403, { message: 'admins' });
  if (fromMemory) return send(response, 200, fromMemory);
  if (path === '/sql/roles') {
    const [[count], page] = await Promise.all([rows(SQL.roleCount), rows(SQL.roles)]);
    return send(response, 200, { data: page, total: count.count });
  }
  if (path === '/available-service-types') return send(response, 200, await rows(SQL.available));
  const { userId } = claims;
  if (path === '/secure-route') {
    const [caller] = await rows(SQL.caller, [userId]);
    if (!caller) return send(response, 401, { message: 'no such account' });
    return send(response, 200, { success: true, message: 'Your session is valid' });
  }
  if (path === '/auth/me') {
    const [me] = await rows(SQL.me, [userId]);
    return me ? send(response, 200, me) : send(response, 401, { message: 'no such account' });
  }
  if (path === '/rides' && request.method === 'POST') {
    const ride = await readBody(request);
    const [created] = await rows(SQL.insertRide, [
      userId,
      ride.serviceTypeId ?? 1,
      ride.pickupLatitude,
      ride.pickupLongitude,
      ride.pickupAddress,
      ride.destinationLatitude,
      ride.destinationLongitude,
      ride.destinationAddress,
    ]).catch(() => []);
    return created ? send(response, 201, created) : send(response, 409, { message: 'active ride' });
  }
  const cancel = /^\/rides\/(\d+)\/cancel$/.exec(path);
  if (cancel && request.method === 'POST') {
    await readBody(request);
    const [cancelled] = await rows(SQL.cancelRide, [Number(cancel[1]), userId]);
    return cancelled
      ? send(response, 200, cancelled)
      : send(response, 409, { message: 'not cancellable' });
  }
  if (path === '/rides/open') {
    const radiusMeters = Number(url.searchParams.get('radiusKm') ?? 5) * 1000;
    const open = await namedRows('open_rides', SQL.openRides, [
      userId,
      STALE_SECONDS,
      radiusMeters,
    ]);
    if (open.length > 0) return send(response, 200, open);
    // As the API: none found, so ask whether the driver may look at all.
    const [position] = await rows(SQL.position, [userId]);
    if (!position?.isOnline || !position.fresh) {
      return send(response, 409, { message: 'offline or no fresh position' });
    }
    return send(response, 200, open);
  }
  if (path === '/drivers/nearby') {
    const [row] = await namedRows('nearby', SQL.nearby, [
      Number(url.searchParams.get('latitude')),
      Number(url.searchParams.get('longitude')),
      Number(url.searchParams.get('radiusKm') ?? 5) * 1000,
      null,
      STALE_SECONDS,
    ]);
    return send(response, 200, row);
  }
  if (path === '/drivers/me/location' && request.method === 'PUT') {
    const body = await readBody(request);
    const [[moved]] = await Promise.all([
      rows(SQL.location, [userId, body.latitude, body.longitude]),
      rows(SQL.underWay, [userId]),
    ]);
    return moved ? send(response, 200, moved) : send(response, 409, { message: 'offline' });
  }
  send(response, 404, { message: 'not found' });
}

void rows(`SELECT id FROM "Roles" WHERE name = 'admin'`).then(([admin]) => {
  adminRoleId = admin.id as number;
  createServer((request, response) => {
    handle(request, response).catch(() => send(response, 500, { message: 'reference failed' }));
  }).listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
});
