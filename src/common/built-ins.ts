/**
 * The identities the API, its migrations, its seed data and its tests all rely on, stated once:
 * the iOS client hard-codes rider = 1 and driver = 2, and its previews assume the three reference
 * service types with these ids and fares.
 */

export const BUILT_IN_ROLES = [
  { id: 1, name: 'rider' },
  { id: 2, name: 'driver' },
  { id: 3, name: 'admin' },
] as const;

export type RoleName = (typeof BUILT_IN_ROLES)[number]['name'];

export const RIDER_ROLE_ID = 1;
export const DRIVER_ROLE_ID = 2;
export const ADMIN_ROLE_ID = 3;
/** Admins are recognised by this role name: an adopted database may hold it under another id. */
export const ADMIN_ROLE_NAME: RoleName = 'admin';

export const BUILT_IN_ROLE_IDS: ReadonlySet<number> = new Set(
  BUILT_IN_ROLES.map((role) => role.id),
);

/** The ride classes of the client's previews; `legacyName` is the original server's enum value. */
export const REFERENCE_SERVICE_TYPES = [
  {
    id: 1,
    name: 'SwiftRide X',
    legacyName: 'SWIFTRIDE_X',
    baseFare: 2.5,
    perMileRate: 1.2,
    perMinuteRate: 0.25,
    maxPassengers: 4,
  },
  {
    id: 2,
    name: 'SwiftRide SUV',
    legacyName: 'SWIFTRIDE_SUV',
    baseFare: 5,
    perMileRate: 2,
    perMinuteRate: 0.35,
    maxPassengers: 6,
  },
  {
    id: 3,
    name: 'SwiftRide Black',
    legacyName: 'SWIFTRIDE_BLACK',
    baseFare: 8,
    perMileRate: 3,
    perMinuteRate: 0.5,
    maxPassengers: 4,
  },
] as const;

export type ReferenceServiceType = (typeof REFERENCE_SERVICE_TYPES)[number];
export type LegacyServiceType = ReferenceServiceType['legacyName'];

/** The original server's ride class names, still accepted from older clients, and what they became. */
export const LEGACY_SERVICE_TYPE_NAMES = Object.fromEntries(
  REFERENCE_SERVICE_TYPES.map((type) => [type.legacyName, type.name]),
) as Record<LegacyServiceType, string>;

/**
 * What a ride or a driver gets when the client names no service type: "SwiftRide X" (id 1). Rides
 * pick it by name, since an adopted database may hold it under another id.
 */
export const DEFAULT_SERVICE_TYPE = REFERENCE_SERVICE_TYPES[0];
