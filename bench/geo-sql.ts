/**
 * The API's geography queries (src/rides/nearby-sql.ts), the very same text with positional
 * parameters, for the bare reference server and the EXPLAIN ANALYZE rows.
 */
import { toPositional } from '../src/database/prepared-statements';
import { COUNT_FREE_DRIVERS_NEAR_SQL, openRidesForDriverSql } from '../src/rides/nearby-sql';

/** `:name` replacements as `$1`, `$2`, … in the order given. */
function positional(sql: string, names: readonly string[]): string {
  const { text, order } = toPositional(sql);
  const unknown = order.filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new Error(`no position for :${unknown.join(', :')}`);
  return text.replace(
    /\$(\d+)/g,
    (_match, n: string) => `$${names.indexOf(order[Number(n) - 1]) + 1}`,
  );
}

/** The page size the bench asks for (the route's default). */
export const OPEN_RIDES_LIMIT = 20;

/**
 * $1 the driver's user id, $2 stale seconds, $3 radius in metres; at most OPEN_RIDES_LIMIT, none
 * when the driver is offline or their position stale. The API runs it as a named statement,
 * planned once: so does every user of this text.
 */
export const OPEN_RIDES_SQL = positional(openRidesForDriverSql(OPEN_RIDES_LIMIT), [
  'driverId',
  'staleSeconds',
  'radiusMeters',
]);

/**
 * $1 latitude, $2 longitude, $3 radius in metres, $4 service type or null, $5 stale seconds. A
 * named statement in the API, planned once, as with open rides.
 */
export const NEARBY_SQL = positional(COUNT_FREE_DRIVERS_NEAR_SQL, [
  'latitude',
  'longitude',
  'radiusMeters',
  'serviceTypeId',
  'staleSeconds',
]);

/** The API's default DRIVER_LOCATION_STALE_SECONDS, which the bench leaves as it is. */
export const STALE_SECONDS = 120;
