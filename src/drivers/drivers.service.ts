import { Injectable, Optional } from '@nestjs/common';
import { InjectConnection } from '@nestjs/sequelize';
import type { Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { DEFAULT_SERVICE_TYPE } from '../common/built-ins';
import { conflict, notFound } from '../common/errors/domain-error';
import { definedFields } from '../common/http/defined';
import { ChangeFeed } from '../database/change-feed';
import { ReadThroughCache } from '../database/read-through-cache';
import { ServiceTypesService } from '../service-types/service-types.service';
import type { LatLng } from '../common/geo/trip';
import {
  type DriverPosition,
  DriverProfileStore,
  type NewDriverProfile,
  type RatedDriverProfile,
  type RecordedLocation,
} from './driver-profile.store';
import { DriverStanding } from './driver-standing';
import type { DriverMeDto, DriverProfileDto, UpdateVehicleDto } from './dto/driver.dto';
import { toDriverProfileDto } from './drivers.mapper';

const noProfile = (userId: number) => notFound('Driver profile of user', userId);

/** Users remembered as having no profile at most; each is a few dozen bytes. */
const MAX_PROFILELESS = 50_000;

/** Driver profiles: vehicles, service types and the online flag. */
@Injectable()
export class DriversService {
  /**
   * Users known to have no profile (riders, admins), so that /auth/me, read on every app start,
   * reads no table for them. A profile is only ever added with its user, so an entry goes stale
   * only when a profile is inserted some other way (psql): the database announces every insert
   * into DriverProfiles, and all entries are dropped. A driver's profile itself is not kept: its
   * position and rating change without being announced.
   */
  private readonly profileless: ReadThroughCache<number, true>;

  constructor(
    private readonly profiles: DriverProfileStore,
    private readonly serviceTypes: ServiceTypesService,
    @InjectConnection() private readonly sequelize: Sequelize,
    feed: ChangeFeed,
    // Provided by the rides feature; absent only where drivers are assembled without it (tests).
    @Optional() private readonly standing?: DriverStanding,
  ) {
    this.profileless = new ReadThroughCache(feed, MAX_PROFILELESS);
    feed.subscribe((change) => {
      if (change === 'reset' || change.table === 'DriverProfiles') this.profileless.forget();
    });
  }

  /** Undefined for users who are not drivers. */
  async findProfile(userId: number): Promise<DriverProfileDto | undefined> {
    let profile: RatedDriverProfile | undefined;
    // Only the absence of a profile is kept; a profile found is used once, as read.
    const none = await this.profileless.get(userId, async () => {
      profile = await this.profiles.findRated(userId);
      return profile ? undefined : true;
    });
    if (none || !profile) return undefined;
    return toDriverProfileDto(profile, await this.serviceTypes.findById(profile.serviceTypeId));
  }

  /** Undefined for users who are not drivers. */
  findIsOnline(userId: number): Promise<boolean | undefined> {
    return this.profiles.findIsOnline(userId);
  }

  /** Undefined for users who are not drivers. */
  findPosition(userId: number, staleSeconds: number): Promise<DriverPosition | undefined> {
    return this.profiles.findPosition(userId, staleSeconds);
  }

  /** See DriverProfileStore.recordLocation. */
  recordLocation(
    userId: number,
    location: LatLng,
    evenIfOffline: boolean,
  ): Promise<RecordedLocation | undefined> {
    return this.profiles.recordLocation(userId, location, evenIfOffline);
  }

  async findByUser(userId: number): Promise<DriverProfileDto> {
    const profile = await this.findProfile(userId);
    if (!profile) throw noProfile(userId);
    return profile;
  }

  /** GET /drivers/me: the profile and how the driver has answered offers. */
  async findMe(userId: number): Promise<DriverMeDto> {
    if (!this.standing) throw new Error('No DriverStanding provider: the rides feature is missing');
    const [profile, standing] = await Promise.all([
      this.findByUser(userId),
      this.standing.of(userId),
    ]);
    return { ...profile, standing };
  }

  /** A new driver's vehicle, in the caller's transaction; the service type must be active. */
  async createProfile(
    profile: Omit<NewDriverProfile, 'serviceTypeId'> & { serviceTypeId?: number },
    transaction: Transaction,
  ): Promise<void> {
    const serviceTypeId = profile.serviceTypeId ?? DEFAULT_SERVICE_TYPE.id;
    await this.serviceTypes.assertActive(serviceTypeId, transaction);
    await this.profiles.insert({ ...profile, serviceTypeId }, transaction);
    transaction.afterCommit(() => this.profileless.forget(profile.userId));
  }

  async setOnline(userId: number, isOnline: boolean): Promise<void> {
    const found = await this.profiles.setOnline(userId, isOnline);
    this.serviceTypes.forgetAvailability();
    if (!found) throw noProfile(userId);
  }

  /**
   * Before a driver's role changes or their account goes: offline (someone who is no longer a
   * driver must not count as one online), and refused with 409 while they are on a ride, which
   * nobody else could move on. Setting the flag locks the profile row until the caller's
   * transaction ends; an accept reads that row FOR SHARE, so the two are ordered: a demotion
   * that locked first leaves the driver offline and the accept refused, an accept that locked
   * first has committed its ride before the check below reads.
   */
  async standDown(userId: number, transaction: Transaction): Promise<void> {
    await this.profiles.setOnline(userId, false, transaction);
    transaction.afterCommit(() => this.serviceTypes.forgetAvailability());
    const rideId = await this.profiles.findRideUnderWay(userId, transaction);
    if (rideId !== undefined) {
      throw conflict(
        `User ${userId} is driving ride ${rideId}; it must be completed, cancelled or released first`,
      );
    }
  }

  /**
   * A new service type must be active; the check and the change share one transaction. Answers
   * the profile as GET /drivers/me shows it.
   */
  async updateVehicle(userId: number, dto: UpdateVehicleDto): Promise<DriverMeDto> {
    const changes = definedFields(dto);
    if (Object.keys(changes).length === 0) return this.findMe(userId);
    await this.sequelize.transaction(async (transaction) => {
      if (changes.serviceTypeId !== undefined) {
        await this.serviceTypes.assertActive(changes.serviceTypeId, transaction);
      }
      if (!(await this.profiles.updateVehicle(userId, changes, transaction))) {
        throw noProfile(userId);
      }
    });
    if (changes.serviceTypeId !== undefined) this.serviceTypes.forgetAvailability();
    return this.findMe(userId);
  }
}
