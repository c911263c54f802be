import { toMoney } from '../common/money';
import { ASSIGNED_STATUSES } from './ride-request.model';
import type { OpenRideDto, RideDriverDto, RideDto, RideRouteDto } from './dto/ride.dto';
import type { OpenRideRow, RideRouteRow, RideRow } from './ride-view';

const decimalOrNull = (value: string | null) => (value === null ? null : toMoney(value));

function toRideRouteDto(row: RideRouteRow): RideRouteDto {
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
    requestedAt: row.requestedAt,
  };
}

export function toRideDto(row: RideRow): RideDto {
  return {
    ...toRideRouteDto(row),
    status: row.status,
    riderId: row.riderId,
    driverId: row.driverId,
    serviceType: {
      id: row.serviceTypeId,
      name: row.serviceTypeName,
      baseFare: toMoney(row.serviceTypeBaseFare),
      perMileRate: toMoney(row.serviceTypePerMileRate),
      perMinuteRate: toMoney(row.serviceTypePerMinuteRate),
      maxPassengers: row.serviceTypeMaxPassengers,
      isActive: row.serviceTypeIsActive,
    },
    finalFare: decimalOrNull(row.finalFare),
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

export function toOpenRideDto(row: OpenRideRow): OpenRideDto {
  return { ...toRideRouteDto(row), distanceKm: Math.round(row.distanceMeters) / 1000 };
}
