import type { Canceller, RideStatus } from './ride-request.model';

/** The columns a ride's route and quote come from, in any of the queries that read rides. */
export interface RideRouteRow {
  id: number;
  serviceTypeId: number;
  pickupLatitude: number;
  pickupLongitude: number;
  pickupAddress: string;
  destinationLatitude: number;
  destinationLongitude: number;
  destinationAddress: string;
  estimatedDistanceMiles: string | null;
  estimatedDurationMinutes: string | null;
  estimatedFare: string | null;
  requestedAt: Date;
}

/** An open ride as a driver's search returns it. */
export interface OpenRideRow extends RideRouteRow {
  distanceMeters: number;
}

/** One ride with everything its view shows, as the view query returns it. */
export interface RideRow extends RideRouteRow {
  status: RideStatus;
  riderId: number;
  driverId: number | null;
  finalFare: string | null;
  acceptedAt: Date | null;
  arrivingAt: Date | null;
  startedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  cancelledBy: Canceller | null;
  cancelReason: string | null;
  releasedAt: Date | null;
  releaseReason: string | null;
  rating: number | null;
  ratingComment: string | null;
  createdAt: Date;
  updatedAt: Date;
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

/**
 * The ride view in one statement: the ride, its service type, both usernames, the driver's vehicle
 * and position, and the driver's rating (served by the partial index of rated rides). `source` is
 * the table, or a CTE holding the rows a write just returned, so a transition and the view of its
 * result are one statement too.
 */
export function rideViewSql(source: string): string {
  return `SELECT r.id, r.status, r."riderId", r."driverId",
      r."pickupLatitude", r."pickupLongitude", r."pickupAddress",
      r."destinationLatitude", r."destinationLongitude", r."destinationAddress",
      r."serviceTypeId", r."estimatedDistanceMiles", r."estimatedDurationMinutes",
      r."estimatedFare", r."finalFare", r."requestedAt", r."acceptedAt", r."arrivingAt",
      r."startedAt", r."completedAt", r."cancelledAt", r."cancelledBy", r."cancelReason",
      r."releasedAt", r."releaseReason", r.rating, r."ratingComment", r."createdAt", r."updatedAt",
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
    LEFT JOIN LATERAL (
      SELECT round(avg(x.rating), 2) AS average, count(x.rating)::int AS count
      FROM "RideRequests" x WHERE x."driverId" = r."driverId" AND x.rating IS NOT NULL
    ) dr ON r."driverId" IS NOT NULL`;
}
