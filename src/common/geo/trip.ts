/** Distances, durations and fares of a trip: pure arithmetic, shared by quotes, requests and matching. */

/**
 * The sphere earthdistance's `earth()` uses. JavaScript and SQL distances use the same radius, so a
 * quote and the database's radius searches agree.
 */
export const EARTH_RADIUS_METERS = 6_378_168;
export const METERS_PER_MILE = 1609.344;

export interface LatLng {
  latitude: number;
  longitude: number;
}

export interface TripModel {
  /** Road distance ÷ great-circle distance. */
  roadFactor: number;
  averageSpeedMph: number;
}

export interface Fares {
  baseFare: string | number;
  perMileRate: string | number;
  perMinuteRate: string | number;
}

export interface TripEstimate {
  distanceMiles: number;
  durationMinutes: number;
}

export type RateField = keyof Fares;

const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance (haversine). */
export function greatCircleMeters(from: LatLng, to: LatLng): number {
  const dLat = radians(to.latitude - from.latitude);
  const dLng = radians(to.longitude - from.longitude);
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(radians(from.latitude)) * Math.cos(radians(to.latitude)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The farthest apart two valid coordinates are: antipodes, half the sphere's circumference. Computed
 * by the same function as every trip, so no rounding makes a real trip longer.
 */
export const LONGEST_GREAT_CIRCLE_METERS = greatCircleMeters(
  { latitude: 0, longitude: 0 },
  { latitude: 0, longitude: 180 },
);

/** The longest trip a ride can be under a model; no trip's fare is higher than this one's. */
export function longestTrip(model: TripModel): TripEstimate {
  return estimateTrip(LONGEST_GREAT_CIRCLE_METERS, model);
}

/**
 * Road miles = great-circle miles × road factor; minutes = road miles ÷ average speed. Both are
 * rounded to hundredths first, so the fare can be recomputed from the figures a client is shown.
 */
export function estimateTrip(greatCircle: number, model: TripModel): TripEstimate {
  const distanceMiles = roundTo2((greatCircle / METERS_PER_MILE) * model.roadFactor);
  const durationMinutes = roundTo2((distanceMiles / model.averageSpeedMph) * 60);
  return { distanceMiles, durationMinutes };
}

/**
 * base + perMile × miles + perMinute × minutes, rounded half-up to the cent. Computed in integers
 * (cents × hundredths), so no binary fraction ever decides a rounding.
 */
export function fareFor(fares: Fares, trip: TripEstimate): number {
  return Math.floor((hundredthCents(fares, trip) + 50) / 100) / 100;
}

/**
 * The largest value `field` may take, the other rates staying as they are, for the trip's fare to
 * be at most `maxFare`; below 0 when the other rates alone exceed it.
 */
export function largestRate(
  fares: Fares,
  trip: TripEstimate,
  field: RateField,
  maxFare: number,
): number {
  const weight = weightsOf(trip)[field];
  // The most hundredths of cents that still round half-up to maxFare or less.
  const limit = (cents(maxFare) + 1) * 100 - 51;
  const others = hundredthCents({ ...fares, [field]: 0 }, trip);
  return Math.floor((limit - others) / weight) / 100;
}

/** What one cent of each rate adds to a trip's fare, in hundredths of cents. */
function weightsOf(trip: TripEstimate): Record<RateField, number> {
  return {
    baseFare: 100,
    perMileRate: hundredths(trip.distanceMiles),
    perMinuteRate: hundredths(trip.durationMinutes),
  };
}

function hundredthCents(fares: Fares, trip: TripEstimate): number {
  const weights = weightsOf(trip);
  return (
    cents(fares.baseFare) * weights.baseFare +
    cents(fares.perMileRate) * weights.perMileRate +
    cents(fares.perMinuteRate) * weights.perMinuteRate
  );
}

/** Whole minutes a driver this far away needs to reach a pickup (at least one). */
export function pickupMinutes(greatCircle: number, model: TripModel): number {
  return Math.max(1, Math.ceil(estimateTrip(greatCircle, model).durationMinutes));
}

function roundTo2(value: number): number {
  return Math.round(value * 100) / 100;
}

function cents(money: string | number): number {
  return Math.round(Number(money) * 100);
}

function hundredths(value: number): number {
  return Math.round(value * 100);
}
