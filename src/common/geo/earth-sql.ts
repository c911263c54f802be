import { EARTH_RADIUS_METERS } from './trip';

/** A point in SQL: two expressions, by default the replacements `:latitude` and `:longitude`. */
export interface SqlPoint {
  latitude: string;
  longitude: string;
  /** Parameters of a statement planned once: see `REPLACED_POINT_ONCE`. */
  once?: true;
}

/**
 * A row's point: its latitude and longitude columns, or a column that stores the point as the
 * cube `ll_to_earth` makes of it (DriverProfiles."earthPosition", kept by PostgreSQL), which
 * spares every row its trigonometry. Either way the GiST index is on what `indexedPointSql` gives.
 */
export type RowPoint = SqlPoint | { stored: string };

/**
 * A point to search around: a latitude and longitude, or an SQL expression of the cube
 * `ll_to_earth` makes of the point, which the statement computes once (a sub-select, an
 * InitPlan: the point where a driver last reported, say).
 */
export type SearchPoint = SqlPoint | { cube: string };

const REPLACED_POINT: SqlPoint = { latitude: ':latitude', longitude: ':longitude' };

/**
 * SQL for "within a radius of a point", with earthdistance's cubes. A box around the circle is
 * what the GiST indexes on `ll_to_earth(lat, lng)`, or on a stored cube, can answer; it holds a
 * little more than the circle, so a distance test then trims it. The radius comes as the
 * replacement `:radiusMeters`, the point as `:latitude` and `:longitude` unless given as
 * columns (`SqlPoint`, e.g. a ride's pickup). Statements with the replacements' point are meant to
 * be sent with their values, so that PostgreSQL computes the point once while planning; a generic
 * plan of a named statement would compute it again for every row. A named statement takes the
 * point as `REPLACED_POINT_ONCE`, or as a sub-select of its own (`{ cube }`).
 *
 * Per row, distances use the point as a bare cube (`earthPointSql`, or the stored one) and compare
 * straight-line (chord) lengths, turned into great-circle metres only for the rows returned. The
 * index expression `ll_to_earth` is an `earth`, a domain over cube whose checks (a point, 3
 * dimensions, on the sphere's surface) PostgreSQL evaluates on every row it computes;
 * `earth_distance` adds a function call and an arcsine per row. At 100,000 online drivers,
 * counting the ~2,000 within 5 km took 5–8 times as long that way. Both give the same numbers:
 * the cube has the same coordinates, and a great-circle distance grows with its chord, so
 * `chord <= gc_to_sec(r)` is `distance <= r`.
 */

/** The replacements' point, as earthdistance's `earth`: computed once, when the plan is made. */
const CENTRE = 'll_to_earth(:latitude, :longitude)';

/**
 * The replacements' point in a named statement planned once (a generic plan), where nothing is
 * known when the plan is made. What a search derives from the point alone (the point as a cube,
 * the box around the circle) is then a sub-select, which PostgreSQL computes once per run (an
 * InitPlan); written bare, it would be computed for every row read: `ll_to_earth` with its
 * domain's checks, and the box's trigonometry. So is the radius's chord, in any plan:
 * `gc_to_sec` of a parameter is a call of an SQL function for every row, which PostgreSQL neither
 * inlines nor folds. At 100,000 online drivers, counting those within 5 km took 20–23 ms in a
 * generic plan of the bare text, against 2.3–3.2 ms planned for each run's values.
 */
export const REPLACED_POINT_ONCE: SqlPoint = { ...REPLACED_POINT, once: true };

/** `sql`, a value of the point alone, as a sub-select when the point is one planned once. */
function perRun(sql: string, from: SqlPoint): string {
  return from.once ? `(SELECT ${sql})` : sql;
}

/**
 * The point at these columns, as the cube `ll_to_earth` builds (same coordinates, same arithmetic
 * in the same order) but without the `earth` domain's checks.
 */
function earthPointSql(latitudeColumn: string, longitudeColumn: string): string {
  const axes = unitAxesSql({ latitude: latitudeColumn, longitude: longitudeColumn });
  return `cube(ARRAY[${axes.map((axis) => `${EARTH_RADIUS_METERS}*${axis}`).join(', ')}])`;
}

/** The point's coordinates on a sphere of radius 1, x, y and z, in `ll_to_earth`'s arithmetic. */
function unitAxesSql(point: SqlPoint): string[] {
  const lat = `radians(${point.latitude})`;
  const lng = `radians(${point.longitude})`;
  return [`cos(${lat})*cos(${lng})`, `cos(${lat})*sin(${lng})`, `sin(${lat})`];
}

/**
 * The point to search around. Given as columns (a ride's pickup, searched for each ride), it is
 * computed for every row it is compared with, so as a bare cube too.
 */
function centreOf(from: SearchPoint): string {
  if ('cube' in from) return from.cube;
  if (from.once) return perRun(`ll_to_earth(${from.latitude}, ${from.longitude})::cube`, from);
  if (from === REPLACED_POINT) return CENTRE;
  return earthPointSql(from.latitude, from.longitude);
}

/** The row's point as a bare cube. */
function rowCubeSql(row: RowPoint): string {
  return 'stored' in row ? row.stored : earthPointSql(row.latitude, row.longitude);
}

/** The expression the GiST index on the row's point is built on. */
function indexedPointSql(row: RowPoint): string {
  return 'stored' in row ? row.stored : `ll_to_earth(${row.latitude}, ${row.longitude})`;
}

/** Straight-line metres through the Earth from the point to the row's point. */
export function chordSql(row: RowPoint, from: SearchPoint = REPLACED_POINT): string {
  return `cube_distance(${centreOf(from)}, ${rowCubeSql(row)})`;
}

/** Great-circle metres for a chord length (what `earth_distance` returns). */
export function chordToMetresSql(chord: string): string {
  return `sec_to_gc(${chord})`;
}

/** Great-circle metres from the point to the row's point. */
export function distanceSql(row: RowPoint, from: SearchPoint = REPLACED_POINT): string {
  return chordToMetresSql(chordSql(row, from));
}

/**
 * Index order for a nearest-first GiST scan (`ORDER BY` this, then `LIMIT`): the scan reads rows
 * in order of distance and stops at the limit instead of reading and sorting the whole circle.
 */
export function nearestFirstSql(row: RowPoint, from: SearchPoint = REPLACED_POINT): string {
  return `${indexedPointSql(row)} <-> ${centreOf(from)}`;
}

/**
 * The row's point lies within `chord` (an SQL expression of straight-line metres, the same for
 * every row) of the point: the index answers the cube that much larger than the point on every
 * axis (earth_box, without casting a bare cube to an `earth`; a millimetre more, so rounding
 * cannot leave out a point on its edge), and the chord test trims it. Looser than the box of
 * `withinRadiusSql`, but it names the chord once: where the chord is a sub-select (the open
 * rides' reach), the planner would plan each of that box's six copies of it, which cost more
 * than the box spares among the few rides such a reach holds.
 */
export function withinChordSql(
  row: RowPoint,
  chord: string,
  from: SearchPoint = REPLACED_POINT,
): string {
  return `cube_enlarge(${centreOf(from)}, ${chord} + 0.001, 3) @> ${indexedPointSql(row)}
    AND ${chordSql(row, from)} <= ${chord}`;
}

/**
 * The row's point lies within `radius` (great-circle metres, by default `:radiusMeters`) of the
 * point: the index answers the box around that cap of the sphere (`capBoxSql`), and the chord
 * test trims it. The box takes the cap's angle rather than `gc_to_sec`'s chord: that SQL function
 * is inlined anew wherever it is written, and six copies of it cost the planner more than the box
 * spared.
 */
export function withinRadiusSql(
  row: RowPoint,
  from: SqlPoint = REPLACED_POINT,
  radius = ':radiusMeters',
): string {
  const angle = `CAST(${radius} AS float8) / ${EARTH_RADIUS_METERS}`;
  // The radius's chord is a sub-select in any plan: see REPLACED_POINT_ONCE on `gc_to_sec`.
  return `${perRun(capBoxSql(from, angle), from)} @> ${indexedPointSql(row)}
    AND ${chordSql(row, from)} <= (SELECT gc_to_sec(${radius}))`;
}

/**
 * The smallest box, sides along the axes (what a GiST index on cubes answers), that holds every
 * point of the sphere within `angle` (radians) of the point, a metre wider each way so that
 * rounding cannot leave out a point on its edge (near an axis's end, `acos` of a value near ±1
 * loses up to centimetres over thousands of kilometres). That cap of the sphere is a slightly
 * curved disc lying aslant to the axes, so the cube `earth_box` makes (the point ± the chord on
 * every axis) holds much more than the circle: at San Francisco a 5 km one held 1.7 times the
 * drivers within 5 km, each of them read from the table only to be refused. Exactly: where the
 * point makes the angle `a` with an axis, the cap reaches along that axis from the sphere's radius
 * times cos(a + angle) to cos(a - angle), or to the axis's end (cos π, cos 0) when it covers it.
 */
function capBoxSql(from: SqlPoint, angle: string): string {
  const r = EARTH_RADIUS_METERS;
  const axes = unitAxesSql(from);
  const low = axes.map((axis) => `${r}*cos(least(acos(${axis}) + ${angle}, pi())) - 1`);
  const high = axes.map((axis) => `${r}*cos(greatest(acos(${axis}) - ${angle}, 0)) + 1`);
  // least and greatest pass over a NULL: without the CASE, no radius would be the whole sphere.
  return `(CASE WHEN ${angle} IS NOT NULL
    THEN cube(ARRAY[${low.join(', ')}], ARRAY[${high.join(', ')}]) END)`;
}
