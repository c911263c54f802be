import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectConnection } from '@nestjs/sequelize';
import { QueryTypes } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { distanceSql, withinRadiusSql } from '../common/geo/earth-sql';
import { conflict } from '../common/errors/domain-error';
import type { RidesConfig } from '../config/configuration';
import { RealtimeEvent, RealtimePublisher } from '../realtime/realtime.publisher';
import type {
  DriverLocationDto,
  LocationDto,
  NearbyDriversDto,
  NearbyDriversQueryDto,
} from './dto/location.dto';
import { ASSIGNED_STATUSES } from '../rides/ride-request.model';
import { type LatLng, pickupMinutes } from '../rides/trip-estimate';

export interface DriverPosition {
  isOnline: boolean;
  serviceTypeId: number;
  latitude: number | null;
  longitude: number | null;
  /** Reported within the staleness window. */
  fresh: boolean;
}

export interface AvailableDriver {
  userId: number;
  distanceMeters: number;
}

const UNDER_WAY = ASSIGNED_STATUSES.map((status) => `'${status}'`).join(', ');

/**
 * Drivers free to take a ride near a point: online, located within the staleness window, not on a
 * ride, within the radius. The partial GiST index on online drivers' positions serves the radius.
 */
const AVAILABLE_DRIVERS_NEAR = `FROM "DriverProfiles" d
  WHERE d."isOnline" AND d.latitude IS NOT NULL
    AND d."locationUpdatedAt" > now() - make_interval(secs => :staleSeconds)
    AND ${withinRadiusSql('d.latitude', 'd.longitude')}
    AND (CAST(:serviceTypeId AS INTEGER) IS NULL OR d."serviceTypeId" = :serviceTypeId)
    AND NOT EXISTS (SELECT 1 FROM "RideRequests" busy WHERE busy."driverId" = d."userId"
      AND busy.status IN (${UNDER_WAY}))`;

/** Where drivers are: their reported positions, and who is near a point. */
@Injectable()
export class DriverLocationsService {
  private readonly config: RidesConfig;

  constructor(
    @InjectConnection() private readonly sequelize: Sequelize,
    private readonly realtime: RealtimePublisher,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<RidesConfig>('rides');
  }

  /**
   * Records the position of a driver who is online, or still on a ride after going offline (offline
   * only means "no new rides"). The same statement finds the rider of that ride, who is sent
   * `driver.location`.
   */
  async report(userId: number, location: LocationDto): Promise<DriverLocationDto> {
    const [moved] = await this.sequelize.query<{
      latitude: number;
      longitude: number;
      updatedAt: Date;
      rideId: number | null;
      riderId: number | null;
    }>(
      `WITH moved AS (
         UPDATE "DriverProfiles" SET latitude = :latitude, longitude = :longitude,
           "locationUpdatedAt" = now(), "updatedAt" = now()
         WHERE "userId" = :userId AND ("isOnline" OR EXISTS (SELECT 1 FROM "RideRequests" busy
           WHERE busy."driverId" = :userId AND busy.status IN (${UNDER_WAY})))
         RETURNING "userId", latitude, longitude, "locationUpdatedAt")
       SELECT m.latitude, m.longitude, m."locationUpdatedAt" AS "updatedAt",
         r.id AS "rideId", r."riderId"
       FROM moved m LEFT JOIN "RideRequests" r ON r."driverId" = m."userId"
         AND r.status IN (${UNDER_WAY})`,
      { replacements: { userId, ...location }, type: QueryTypes.SELECT },
    );
    if (!moved)
      throw conflict('Go online (PATCH /api/drivers/me/update-status) before sending a location');
    const position = {
      latitude: moved.latitude,
      longitude: moved.longitude,
      updatedAt: moved.updatedAt,
    };
    if (moved.rideId !== null && moved.riderId !== null) {
      this.realtime.toUser(moved.riderId, RealtimeEvent.DriverLocation, {
        rideId: moved.rideId,
        driverId: userId,
        ...position,
      });
    }
    return position;
  }

  /** A driver's matching state, with "is the position fresh" decided by the database's clock. */
  async findPosition(userId: number): Promise<DriverPosition | undefined> {
    const [row] = await this.sequelize.query<DriverPosition>(
      `SELECT "isOnline", "serviceTypeId", latitude, longitude,
         coalesce("locationUpdatedAt" > now() - make_interval(secs => :staleSeconds), false) AS fresh
       FROM "DriverProfiles" WHERE "userId" = :userId`,
      {
        replacements: { userId, staleSeconds: this.config.locationStaleSeconds },
        type: QueryTypes.SELECT,
      },
    );
    return row;
  }

  /** How many drivers could come, and how soon the nearest could be there; no identities. */
  async countNear(query: NearbyDriversQueryDto): Promise<NearbyDriversDto> {
    const [row] = await this.sequelize.query<{ count: number; nearestMeters: number | null }>(
      `SELECT count(*)::int AS count, min(${distanceSql('d.latitude', 'd.longitude')}) AS "nearestMeters"
       ${AVAILABLE_DRIVERS_NEAR}`,
      {
        replacements: this.replacements(query, query.radiusKm, query.serviceTypeId),
        type: QueryTypes.SELECT,
      },
    );
    return {
      count: row.count,
      nearestPickupMinutes:
        row.nearestMeters === null ? null : pickupMinutes(row.nearestMeters, this.config),
      radiusKm: query.radiusKm,
    };
  }

  /** The drivers a ride at this pickup is offered to, nearest first. */
  findAvailableNear(pickup: LatLng, serviceTypeId: number): Promise<AvailableDriver[]> {
    return this.sequelize.query<AvailableDriver>(
      `SELECT d."userId", ${distanceSql('d.latitude', 'd.longitude')} AS "distanceMeters"
       ${AVAILABLE_DRIVERS_NEAR}
       ORDER BY "distanceMeters"`,
      {
        replacements: this.replacements(pickup, this.config.offerRadiusKm, serviceTypeId),
        type: QueryTypes.SELECT,
      },
    );
  }

  private replacements(point: LatLng, radiusKm: number, serviceTypeId: number | undefined) {
    return {
      latitude: point.latitude,
      longitude: point.longitude,
      radiusMeters: radiusKm * 1000,
      serviceTypeId: serviceTypeId ?? null,
      staleSeconds: this.config.locationStaleSeconds,
    };
  }
}
