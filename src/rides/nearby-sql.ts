/**
 * The geography queries on RideRequests and DriverProfiles, with named replacements. RideStore
 * runs them; `npm run bench` runs the same text against a bare server and under EXPLAIN ANALYZE,
 * so this module imports nothing with side effects.
 */
import {
  chordSql,
  chordToMetresSql,
  distanceSql,
  nearestFirstSql,
  REPLACED_POINT_ONCE,
  type RowPoint,
  type SearchPoint,
  type SqlPoint,
  withinChordSql,
  withinRadiusSql,
} from '../common/geo/earth-sql';
import { ASSIGNED_STATUSES, statusListSql } from '../common/ride-statuses';
import { RIDE_ROUTE_COLUMNS, rideColumnsSql } from './ride-view';

/** The statuses of a ride under way, as an SQL list. */
export const UNDER_WAY = statusListSql(ASSIGNED_STATUSES);

/** A driver's position (as `d`), stored as a cube beside its latitude and longitude. */
const DRIVER_EARTH_POSITION = 'd."earthPosition"';
export const DRIVER_POSITION: RowPoint = { stored: DRIVER_EARTH_POSITION };

/**
 * Since when a position is fresh: a sub-select, computed once per run, where in a generic plan
 * `make_interval` of a parameter would be computed for every driver read.
 */
const FRESH_SINCE = '(SELECT now() - make_interval(secs => :staleSeconds))';

/**
 * Drivers free to take a ride near a point: online, located within the staleness window, not on a
 * ride, within the radius, of the service type (any when it is NULL). The point is the
 * replacements' (`REPLACED_POINT_ONCE`) or columns (a ride's pickup), the type `:serviceTypeId`
 * unless given. The partial GiST index on online drivers' positions serves the radius. It lives
 * with rides because "free" is a ride state.
 */
export const freeDriversNearSql = (
  point: SqlPoint,
  serviceTypeId = ':serviceTypeId',
) => `FROM "DriverProfiles" d
  WHERE d."isOnline" AND d.latitude IS NOT NULL
    AND d."locationUpdatedAt" > ${FRESH_SINCE}
    AND ${withinRadiusSql(DRIVER_POSITION, point)}
    AND (CAST(${serviceTypeId} AS INTEGER) IS NULL OR d."serviceTypeId" = ${serviceTypeId})
    AND NOT EXISTS (SELECT 1 FROM "RideRequests" busy WHERE busy."driverId" = d."userId"
      AND busy.status IN (${UNDER_WAY}))`;

const FREE_DRIVERS_NEAR = freeDriversNearSql(REPLACED_POINT_ONCE);

/**
 * Free drivers near `(:latitude, :longitude)` within `:radiusMeters`, nearest first
 * (`:serviceTypeId` or null, `:staleSeconds`). Made to run as a named statement, planned once.
 */
export const FREE_DRIVERS_NEAR_SQL = `SELECT d."userId",
    ${distanceSql(DRIVER_POSITION, REPLACED_POINT_ONCE)} AS "distanceMeters"
  ${FREE_DRIVERS_NEAR}
  ORDER BY ${chordSql(DRIVER_POSITION, REPLACED_POINT_ONCE)}`;

/**
 * How many drivers are free there, and how far the nearest is (the same replacements). Made to
 * run as a named statement: planning it took about a sixth of the time it took in all.
 */
export const COUNT_FREE_DRIVERS_NEAR_SQL = `SELECT count(*)::int AS count,
    ${chordToMetresSql(`min(${chordSql(DRIVER_POSITION, REPLACED_POINT_ONCE)})`)} AS "nearestMeters"
  ${FREE_DRIVERS_NEAR}`;

const PICKUP: SqlPoint = { latitude: 'r."pickupLatitude"', longitude: 'r."pickupLongitude"' };

/**
 * The driver `:driverId` when they may look for rides (online, and located within
 * `:staleSeconds`): their point and service type, read once per run and shared by every
 * sub-select below.
 */
const SEARCHING_DRIVER = `searching AS MATERIALIZED (
    SELECT ${DRIVER_EARTH_POSITION} AS point, d."serviceTypeId"
    FROM "DriverProfiles" d
    WHERE d."userId" = :driverId AND d."isOnline" AND d."locationUpdatedAt" > ${FRESH_SINCE}
  )`;
const HERE: SearchPoint = { cube: '(SELECT point FROM searching)' };
const OPEN = `r.status = 'REQUESTED' AND r."serviceTypeId" = (SELECT "serviceTypeId" FROM searching)`;

const OPEN_RIDES_BY_LIMIT = new Map<number, string>();

const openRidesFor = (limit: number) => `WITH ${SEARCHING_DRIVER}, nearest AS (
    SELECT ${chordSql(PICKUP, HERE)} AS chord
    FROM "RideRequests" r
    WHERE ${OPEN}
    ORDER BY ${nearestFirstSql(PICKUP, HERE)}
    LIMIT ${limit}
  ), reach AS (SELECT max(chord) AS chord FROM nearest WHERE chord <= gc_to_sec(:radiusMeters))
  SELECT ${rideColumnsSql(RIDE_ROUTE_COLUMNS)},
    ${distanceSql(PICKUP, HERE)} AS "distanceMeters"
  FROM "RideRequests" r
  WHERE ${OPEN} AND ${withinChordSql(PICKUP, '(SELECT chord FROM reach)', HERE)}
  ORDER BY ${chordSql(PICKUP, HERE)}, r.id
  LIMIT ${limit}`;

/**
 * REQUESTED rides within `:radiusMeters` of where the driver `:driverId` last reported being, of
 * the driver's service type, nearest first, ties by id, at most `limit`; none when the driver is
 * offline or their position is older than `:staleSeconds` (the caller then asks why). One
 * statement, the driver's position included: looking it up first cost every request a second
 * round trip.
 *
 * Rather than read and sort every open ride in the circle (hundreds in a busy city), two short
 * scans of the (type, pickup) GiST index: a nearest-first scan of the type's rides stops after
 * `limit` of them, which says how far the page reaches; then the rides within that reach (ties
 * included, so the order by id stays exact) are read and sorted. The first scan has no box on
 * purpose: with one, PostgreSQL may prefer reading the whole box and sorting it, the very cost
 * this avoids; without one it can only walk the index in distance order, and stops after at most
 * `limit` rides of the type.
 *
 * Made to run as a named statement planned once (a generic plan): parsing and planning it took
 * as long as running it. The driver's point is a sub-select, computed once per run; the limit is
 * written into the text, one statement per page size: as a parameter, the generic plan's LIMIT is
 * a guess that prices it above the plans made for each run's values, and PostgreSQL keeps
 * planning each run.
 */
export function openRidesForDriverSql(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`limit ${limit}`);
  let sql = OPEN_RIDES_BY_LIMIT.get(limit);
  if (sql === undefined) {
    sql = openRidesFor(limit);
    OPEN_RIDES_BY_LIMIT.set(limit, sql);
  }
  return sql;
}
