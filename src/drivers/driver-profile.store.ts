import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/sequelize';
import { QueryTypes, type Transaction } from 'sequelize';
import type { LatLng } from '../common/geo/trip';
import { ASSIGNED_STATUSES } from '../common/ride-statuses';
import { PreparedStatements } from '../database/prepared-statements';
import { DriverProfile } from './driver-profile.model';
import { driverRatingSql } from './driver-rating';

export type NewDriverProfile = Pick<
  DriverProfile,
  'userId' | 'make' | 'model' | 'licensePlate' | 'serviceTypeId'
>;
export type VehicleChanges = Partial<
  Pick<DriverProfile, 'make' | 'model' | 'licensePlate' | 'serviceTypeId'>
>;

/** A driver's matching state, with "is the position fresh" decided by the database's clock. */
export interface DriverPosition {
  isOnline: boolean;
  serviceTypeId: number;
  latitude: number | null;
  longitude: number | null;
  /** Reported within the staleness window. */
  fresh: boolean;
}

export interface RecordedLocation {
  latitude: number;
  longitude: number;
  updatedAt: Date;
}

export interface DriverRating {
  average: number | null;
  count: number;
}

/** A profile as its owner sees it (the service type is the caller's to add), with its rating. */
export type RatedDriverProfile = Pick<
  DriverProfile,
  | 'id'
  | 'userId'
  | 'make'
  | 'model'
  | 'licensePlate'
  | 'isOnline'
  | 'serviceTypeId'
  | 'latitude'
  | 'longitude'
  | 'locationUpdatedAt'
> & { rating: DriverRating };

/** Every statement on the DriverProfiles table: vehicles, online flags and positions. */
@Injectable()
export class DriverProfileStore {
  constructor(
    @InjectModel(DriverProfile) private readonly profiles: typeof DriverProfile,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * The profile with its rating, undefined for users who are not drivers: one statement on raw
   * rows, as /auth/me reads it on every call (building model instances cost more than the query).
   */
  async findRated(userId: number): Promise<RatedDriverProfile | undefined> {
    const [row] = await this.select<
      Omit<RatedDriverProfile, 'rating'> & { average: string | null; count: number }
    >(
      `SELECT p.id, p."userId", p.make, p.model, p."licensePlate", p."isOnline", p."serviceTypeId",
         p.latitude, p.longitude, p."locationUpdatedAt", rating.average, rating.count
       FROM "DriverProfiles" p, LATERAL (${driverRatingSql('p."userId"')}) rating
       WHERE p."userId" = :userId`,
      { userId },
    );
    if (!row) return undefined;
    const { average, count, ...profile } = row;
    return { ...profile, rating: { average: average === null ? null : Number(average), count } };
  }

  /** Undefined for users without a profile (riders, admins). */
  async findIsOnline(userId: number): Promise<boolean | undefined> {
    const [profile] = await this.select<{ isOnline: boolean }>(
      `SELECT "isOnline" FROM "DriverProfiles" WHERE "userId" = :userId`,
      { userId },
    );
    return profile?.isOnline;
  }

  /** Why a driver may not look for open rides, when that search finds none. */
  async findPosition(userId: number, staleSeconds: number): Promise<DriverPosition | undefined> {
    const [row] = await this.statements.rows<DriverPosition>(
      `SELECT "isOnline", "serviceTypeId", latitude, longitude,
         coalesce("locationUpdatedAt" > now() - make_interval(secs => :staleSeconds), false) AS fresh
       FROM "DriverProfiles" WHERE "userId" = :userId`,
      { userId, staleSeconds },
      'read',
    );
    return row;
  }

  async insert(profile: NewDriverProfile, transaction?: Transaction): Promise<void> {
    await this.profiles.create({ ...profile }, { transaction });
  }

  /** Whether the user has a profile. */
  async setOnline(userId: number, isOnline: boolean, transaction?: Transaction): Promise<boolean> {
    const [updated] = await this.profiles.update({ isOnline }, { where: { userId }, transaction });
    return updated > 0;
  }

  /**
   * The ride the driver is on (accepted, arriving or in progress), read in the caller's
   * transaction: a fact about rides that decides whether the driver may leave duty.
   */
  async findRideUnderWay(userId: number, transaction: Transaction): Promise<number | undefined> {
    const [ride] = await this.profiles.sequelize!.query<{ id: number }>(
      `SELECT id FROM "RideRequests" WHERE "driverId" = :userId AND status IN (:statuses)`,
      {
        replacements: { userId, statuses: ASSIGNED_STATUSES },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    return ride?.id;
  }

  /** Whether the user has a profile. */
  async updateVehicle(
    userId: number,
    changes: VehicleChanges,
    transaction?: Transaction,
  ): Promise<boolean> {
    const [updated] = await this.profiles.update(changes, { where: { userId }, transaction });
    return updated > 0;
  }

  /**
   * Records the position of a driver who is online, or of any driver when `evenIfOffline` (one
   * still on a ride: offline only means "no new rides"). Undefined when nothing was recorded. A
   * named statement: every online driver sends a position every few seconds.
   */
  async recordLocation(
    userId: number,
    location: LatLng,
    evenIfOffline: boolean,
  ): Promise<RecordedLocation | undefined> {
    const [moved] = await this.statements.rows<RecordedLocation>(
      `UPDATE "DriverProfiles" SET latitude = :latitude, longitude = :longitude,
         "locationUpdatedAt" = now(), "updatedAt" = now()
       WHERE "userId" = :userId AND ("isOnline" OR :evenIfOffline)
       RETURNING latitude, longitude, "locationUpdatedAt" AS "updatedAt"`,
      { userId, latitude: location.latitude, longitude: location.longitude, evenIfOffline },
    );
    return moved;
  }

  private select<T extends object>(
    sql: string,
    replacements: Record<string, unknown>,
  ): Promise<T[]> {
    return this.profiles.sequelize!.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  }
}
