import type { InferAttributes } from 'sequelize';
import { driverRatingSql } from '../drivers/driver-rating';
import type { RideRequest } from './ride-request.model';

/**
 * The ride's own columns, named once: every query that reads rides selects them from these lists,
 * the row types are derived from them, and the mapper copies them by them.
 */
export const RIDE_ROUTE_COLUMNS = [
  'id',
  'serviceTypeId',
  'pickupLatitude',
  'pickupLongitude',
  'pickupAddress',
  'destinationLatitude',
  'destinationLongitude',
  'destinationAddress',
  'estimatedDistanceMiles',
  'estimatedDurationMinutes',
  'estimatedFare',
  'requestedAt',
] as const;

/** What the ride's view shows besides its route and quote. */
export const RIDE_STATE_COLUMNS = [
  'status',
  'riderId',
  'driverId',
  'finalFare',
  'acceptedAt',
  'arrivingAt',
  'startedAt',
  'completedAt',
  'cancelledAt',
  'cancelledBy',
  'cancelReason',
  'releasedAt',
  'releaseReason',
  'rating',
  'ratingComment',
  'createdAt',
  'updatedAt',
] as const;

type RideColumns = InferAttributes<RideRequest>;

/** The columns a ride's route and quote come from, in any of the queries that read rides. */
export type RideRouteRow = Pick<RideColumns, (typeof RIDE_ROUTE_COLUMNS)[number]>;

/** An open ride as a driver's search returns it. */
export interface OpenRideRow extends RideRouteRow {
  distanceMeters: number;
}

/** One ride with everything its view shows, as the view query returns it. */
export interface RideRow
  extends RideRouteRow, Pick<RideColumns, (typeof RIDE_STATE_COLUMNS)[number]> {
  serviceTypeName: string;
  serviceTypeBaseFare: string;
  serviceTypePerMileRate: string;
  serviceTypePerMinuteRate: string;
  serviceTypeMaxPassengers: number;
  serviceTypeIsActive: boolean;
  riderUsername: string | null;
  driverUsername: string | null;
  driverMake: string | null;
  driverModel: string | null;
  driverLicensePlate: string | null;
  driverLatitude: number | null;
  driverLongitude: number | null;
  driverLocationUpdatedAt: Date | null;
  driverRatingAverage: string | null;
  driverRatingCount: number | null;
}

/** `r."id", r."serviceTypeId", …` for the given columns of the ride aliased `alias`. */
export function rideColumnsSql(columns: readonly string[], alias = 'r'): string {
  return columns.map((column) => `${alias}."${column}"`).join(', ');
}

/**
 * The ride view in one statement: the ride, its service type, both usernames, the driver's vehicle
 * and position, and the driver's rating (served by the partial index of rated rides). `source` is
 * the table, or a CTE holding the rows a write just returned, so a transition and the view of its
 * result are one statement too.
 */
export function rideViewSql(source: string): string {
  return `SELECT ${rideColumnsSql([...RIDE_ROUTE_COLUMNS, ...RIDE_STATE_COLUMNS])},
      t.name AS "serviceTypeName", t."baseFare" AS "serviceTypeBaseFare",
      t."perMileRate" AS "serviceTypePerMileRate", t."perMinuteRate" AS "serviceTypePerMinuteRate",
      t."maxPassengers" AS "serviceTypeMaxPassengers", t."isActive" AS "serviceTypeIsActive",
      ru.username AS "riderUsername", du.username AS "driverUsername",
      d.make AS "driverMake", d.model AS "driverModel", d."licensePlate" AS "driverLicensePlate",
      d.latitude AS "driverLatitude", d.longitude AS "driverLongitude",
      d."locationUpdatedAt" AS "driverLocationUpdatedAt",
      dr.average AS "driverRatingAverage", dr.count AS "driverRatingCount"
    FROM ${source} r
    JOIN "ServiceTypes" t ON t.id = r."serviceTypeId"
    LEFT JOIN "Users" ru ON ru.id = r."riderId"
    LEFT JOIN "Users" du ON du.id = r."driverId"
    LEFT JOIN "DriverProfiles" d ON d."userId" = r."driverId"
    LEFT JOIN LATERAL (${driverRatingSql('r."driverId"')}) dr ON r."driverId" IS NOT NULL`;
}
