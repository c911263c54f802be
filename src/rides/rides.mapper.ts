import { toMoney } from '../common/money';
import { ASSIGNED_STATUSES } from './ride-request.model';
import type { OpenRideDto, RideDriverDto, RideDto } from './dto/ride.dto';
import type { RideRow } from './ride-view';

const decimalOrNull = (value: string | null) => (value === null ? null : toMoney(value));

export function toRideDto(row: RideRow): RideDto {
  return {
    id: row.id,
    status: row.status,
    riderId: row.riderId,
    driverId: row.driverId,
    pickupLatitude: row.pickupLatitude,
    pickupLongitude: row.pickupLongitude,
    pickupAddress: row.pickupAddress,
    destinationLatitude: row.destinationLatitude,
    destinationLongitude: row.destinationLongitude,
    destinationAddress: row.destinationAddress,
    serviceTypeId: row.serviceTypeId,
    serviceType: {
      id: row.serviceTypeId,
      name: row.serviceTypeName,
      baseFare: toMoney(row.serviceTypeBaseFare),
      perMileRate: toMoney(row.serviceTypePerMileRate),
      perMinuteRate: toMoney(row.serviceTypePerMinuteRate),
      maxPassengers: row.serviceTypeMaxPassengers,
      isActive: row.serviceTypeIsActive,
    },
    estimatedDistanceMiles: decimalOrNull(row.estimatedDistanceMiles),
    estimatedDurationMinutes: decimalOrNull(row.estimatedDurationMinutes),
    estimatedFare: decimalOrNull(row.estimatedFare),
    finalFare: decimalOrNull(row.finalFare),
    requestedAt: row.requestedAt,
    acceptedAt: row.acceptedAt,
    arrivingAt: row.arrivingAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    cancelledAt: row.cancelledAt,
    cancelledBy: row.cancelledBy,
    cancelReason: row.cancelReason,
    releasedAt: row.releasedAt,
    releaseReason: row.releaseReason,
    rating: row.rating,
    ratingComment: row.ratingComment,
    rider: { id: row.riderId, username: row.riderUsername ?? `user-${row.riderId}` },
    driver: toRideDriver(row),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The driver's position is shown only while the ride is under way. */
function toRideDriver(row: RideRow): RideDriverDto | null {
  if (row.driverId === null) return null;
  const underWay = ASSIGNED_STATUSES.includes(row.status);
  const located =
    underWay &&
    row.driverLatitude !== null &&
    row.driverLongitude !== null &&
    row.driverLocationUpdatedAt;
  return {
    id: row.driverId,
    username: row.driverUsername ?? `user-${row.driverId}`,
    make: row.driverMake ?? 'unknown',
    model: row.driverModel ?? 'unknown',
    licensePlate: row.driverLicensePlate ?? 'unknown',
    location: located
      ? {
          latitude: row.driverLatitude!,
          longitude: row.driverLongitude!,
          updatedAt: row.driverLocationUpdatedAt!,
        }
      : null,
    rating: {
      average: row.driverRatingAverage === null ? null : Number(row.driverRatingAverage),
      count: row.driverRatingCount ?? 0,
    },
  };
}

export interface OpenRideRow {
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
  distanceMeters: number;
}

export function toOpenRideDto(row: OpenRideRow): OpenRideDto {
  return {
    id: row.id,
    serviceTypeId: row.serviceTypeId,
    pickupLatitude: row.pickupLatitude,
    pickupLongitude: row.pickupLongitude,
    pickupAddress: row.pickupAddress,
    destinationLatitude: row.destinationLatitude,
    destinationLongitude: row.destinationLongitude,
    destinationAddress: row.destinationAddress,
    estimatedDistanceMiles: decimalOrNull(row.estimatedDistanceMiles),
    estimatedDurationMinutes: decimalOrNull(row.estimatedDurationMinutes),
    estimatedFare: decimalOrNull(row.estimatedFare),
    distanceKm: Math.round(row.distanceMeters) / 1000,
    requestedAt: row.requestedAt,
  };
}
