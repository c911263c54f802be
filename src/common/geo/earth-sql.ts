/**
 * SQL for "within a radius of a point", with earthdistance. `earth_box` is a cube around the point
 * that the GiST index on `ll_to_earth(lat, lng)` can answer; it is slightly larger than the circle,
 * so `earth_distance` then trims its corners. The point and radius come as the replacements
 * `:latitude`, `:longitude` and `:radiusMeters`.
 */
export function withinRadiusSql(latitudeColumn: string, longitudeColumn: string): string {
  const point = `ll_to_earth(${latitudeColumn}, ${longitudeColumn})`;
  return `earth_box(ll_to_earth(:latitude, :longitude), :radiusMeters) @> ${point}
    AND earth_distance(ll_to_earth(:latitude, :longitude), ${point}) <= :radiusMeters`;
}

/** Great-circle metres from `(:latitude, :longitude)` to the columns' point. */
export function distanceSql(latitudeColumn: string, longitudeColumn: string): string {
  return `earth_distance(ll_to_earth(:latitude, :longitude), ll_to_earth(${latitudeColumn}, ${longitudeColumn}))`;
}
