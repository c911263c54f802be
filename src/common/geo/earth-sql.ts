/** A point in SQL: two expressions, by default the replacements `:latitude` and `:longitude`. */
export interface SqlPoint {
  latitude: string;
  longitude: string;
}

const REPLACED_POINT: SqlPoint = { latitude: ':latitude', longitude: ':longitude' };

/**
 * SQL for "within a radius of a point", with earthdistance. `earth_box` is a cube around the point
 * that the GiST index on `ll_to_earth(lat, lng)` can answer; it is slightly larger than the circle,
 * so `earth_distance` then trims its corners. The radius comes as the replacement `:radiusMeters`,
 * the point as `:latitude` and `:longitude` unless given (e.g. a ride's pickup columns).
 */
export function withinRadiusSql(
  latitudeColumn: string,
  longitudeColumn: string,
  from: SqlPoint = REPLACED_POINT,
): string {
  const point = `ll_to_earth(${latitudeColumn}, ${longitudeColumn})`;
  const centre = `ll_to_earth(${from.latitude}, ${from.longitude})`;
  return `earth_box(${centre}, :radiusMeters) @> ${point}
    AND earth_distance(${centre}, ${point}) <= :radiusMeters`;
}

/** Great-circle metres from the point (`:latitude`, `:longitude` unless given) to the columns' point. */
export function distanceSql(
  latitudeColumn: string,
  longitudeColumn: string,
  from: SqlPoint = REPLACED_POINT,
): string {
  return `earth_distance(ll_to_earth(${from.latitude}, ${from.longitude}), ll_to_earth(${latitudeColumn}, ${longitudeColumn}))`;
}
