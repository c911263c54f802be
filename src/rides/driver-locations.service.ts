import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { conflict } from '../common/errors/domain-error';
import { type LatLng, pickupMinutes } from '../common/geo/trip';
import type { RidesConfig } from '../config/configuration';
import { DriversService } from '../drivers/drivers.service';
import type {
  DriverLocationDto,
  LocationDto,
  NearbyDriversDto,
  NearbyDriversQueryDto,
} from '../drivers/dto/location.dto';
import { RealtimeEvent, RealtimePublisher } from '../realtime/realtime.publisher';
import { type FreeDriver, RideStore } from './ride.store';

/** Where drivers are, as matching and riders need it: positions, and who is free near a point. */
@Injectable()
export class DriverLocationsService {
  private readonly config: RidesConfig;

  constructor(
    private readonly drivers: DriversService,
    private readonly rides: RideStore,
    private readonly realtime: RealtimePublisher,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<RidesConfig>('rides');
  }

  /**
   * Records the position of a driver who is online, or still on a ride after going offline
   * (offline only means "no new rides"); the rider of that ride is sent `driver.location`. The
   * write and the ride lookup run side by side; only an offline driver's write waits for the ride.
   */
  async report(userId: number, location: LocationDto): Promise<DriverLocationDto> {
    const [recorded, ride] = await Promise.all([
      this.drivers.recordLocation(userId, location, false),
      this.rides.findUnderWayFor(userId),
    ]);
    const position =
      recorded ?? (ride ? await this.drivers.recordLocation(userId, location, true) : undefined);
    if (!position) {
      throw conflict('Go online (PATCH /api/drivers/me/update-status) before sending a location');
    }
    if (ride) {
      this.realtime.toUser(ride.riderId, RealtimeEvent.DriverLocation, {
        rideId: ride.id,
        driverId: userId,
        ...position,
      });
    }
    return position;
  }

  /** How many drivers could come, and how soon the nearest could be there; no identities. */
  async countNear(query: NearbyDriversQueryDto): Promise<NearbyDriversDto> {
    const { count, nearestMeters } = await this.rides.countFreeDriversNear({
      point: query,
      radiusKm: query.radiusKm,
      serviceTypeId: query.serviceTypeId,
      staleSeconds: this.config.locationStaleSeconds,
    });
    return {
      count,
      nearestPickupMinutes:
        nearestMeters === null ? null : pickupMinutes(nearestMeters, this.config),
      radiusKm: query.radiusKm,
    };
  }

  /** The drivers a ride at this pickup is offered to, nearest first. */
  findAvailableNear(pickup: LatLng, serviceTypeId: number): Promise<FreeDriver[]> {
    return this.rides.findFreeDriversNear({
      point: pickup,
      radiusKm: this.config.offerRadiusKm,
      serviceTypeId,
      staleSeconds: this.config.locationStaleSeconds,
    });
  }
}
