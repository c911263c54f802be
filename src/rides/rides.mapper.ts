import { toMoney } from '../common/money';
import { ASSIGNED_STATUSES } from './ride-request.model';
import type { OpenRideDto, RideDriverDto, RideDto, RideRouteDto } from './dto/ride.dto';
import type { OfferedRideRow } from './ride-offer.store';
import {
  type OpenRideRow,
  RIDE_ROUTE_COLUMNS,
  RIDE_STATE_COLUMNS,
  type RideRouteRow,
  type RideRow,
} from './ride-view';

type Decimal = string | number | null;
const decimalOrNull = (value: Decimal) => (value === null ? null : toMoney(value));

function pick<T extends object, K extends keyof T>(row: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((key) => [key, row[key]])) as Pick<T, K>;
}

function toRideRouteDto(row: RideRouteRow): RideRouteDto {
  return {
    ...pick(row, RIDE_ROUTE_COLUMNS),
    estimatedDistanceMiles: decimalOrNull(row.estimatedDistanceMiles),
    estimatedDurationMinutes: decimalOrNull(row.estimatedDurationMinutes),
    estimatedFare: decimalOrNull(row.estimatedFare),
  };
}

export function toRideDto(row: RideRow): RideDto {
  return {
    ...toRideRouteDto(row),
    ...pick(row, RIDE_STATE_COLUMNS),
    finalFare: decimalOrNull(row.finalFare),
    serviceType: {
      id: row.serviceTypeId,
      name: row.serviceTypeName,
      baseFare: toMoney(row.serviceTypeBaseFare),
      perMileRate: toMoney(row.serviceTypePerMileRate),
      perMinuteRate: toMoney(row.serviceTypePerMinuteRate),
      maxPassengers: row.serviceTypeMaxPassengers,
      isActive: row.serviceTypeIsActive,
    },
    rider: { id: row.riderId, username: row.riderUsername ?? `user-${row.riderId}` },
    driver: toRideDriver(row),
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

/** A ride offered to the driver now (ranked mode), with when the offer lapses. */
export function toOfferedRideDto(row: OfferedRideRow): OpenRideDto {
  return { ...toOpenRideDto(row), offerExpiresAt: new Date(row.offerExpiresAt).toISOString() };
}
