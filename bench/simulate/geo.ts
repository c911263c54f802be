import type { Random } from './random';

/** Points, distances and straight-line movement, on the sphere PostgreSQL's earthdistance uses. */

export interface LatLng {
  latitude: number;
  longitude: number;
}

/** The metro area: where drivers start and cruise, and where riders ask to be picked up. */
export interface Area {
  south: number;
  west: number;
  north: number;
  east: number;
}

/** About 33 km by 33 km around San Francisco: the city, the East Bay's edge and the peninsula. */
export const SAN_FRANCISCO: Area = { south: 37.62, west: -122.61, north: 37.92, east: -122.23 };

const EARTH_RADIUS_KM = 6378.168;
const rad = (degrees: number) => (degrees * Math.PI) / 180;
const deg = (radians: number) => (radians * 180) / Math.PI;

export function distanceKm(a: LatLng, b: LatLng): number {
  const h =
    Math.sin(rad(b.latitude - a.latitude) / 2) ** 2 +
    Math.cos(rad(a.latitude)) *
      Math.cos(rad(b.latitude)) *
      Math.sin(rad(b.longitude - a.longitude) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Part of the way from `a` to `b` (0 = a, 1 = b); straight in degrees, fine at city scale. */
export function along(a: LatLng, b: LatLng, fraction: number): LatLng {
  const f = Math.max(0, Math.min(1, fraction));
  return {
    latitude: a.latitude + (b.latitude - a.latitude) * f,
    longitude: a.longitude + (b.longitude - a.longitude) * f,
  };
}

/** Rounded to 6 decimals (about 10 cm), as a phone would send it. */
function rounded(point: LatLng): LatLng {
  return {
    latitude: Math.round(point.latitude * 1e6) / 1e6,
    longitude: Math.round(point.longitude * 1e6) / 1e6,
  };
}

function clamp(point: LatLng, area: Area): LatLng {
  return rounded({
    latitude: Math.max(area.south, Math.min(area.north, point.latitude)),
    longitude: Math.max(area.west, Math.min(area.east, point.longitude)),
  });
}

export function pointIn(area: Area, random: Random): LatLng {
  return rounded({
    latitude: random.between(area.south, area.north),
    longitude: random.between(area.west, area.east),
  });
}

/** A point `km` away in a random direction, kept inside the area. */
export function pointNear(from: LatLng, km: number, area: Area, random: Random): LatLng {
  const bearing = random.between(0, 2 * Math.PI);
  const north = deg((km * Math.cos(bearing)) / EARTH_RADIUS_KM);
  const east = deg((km * Math.sin(bearing)) / (EARTH_RADIUS_KM * Math.cos(rad(from.latitude))));
  return clamp({ latitude: from.latitude + north, longitude: from.longitude + east }, area);
}

export function parseArea(text: string): Area {
  const [south, west, north, east] = text.split(',').map(Number);
  if (![south, west, north, east].every(Number.isFinite) || south >= north || west >= east) {
    throw new Error(`--area must be "south,west,north,east" in degrees, got "${text}"`);
  }
  return { south, west, north, east };
}
