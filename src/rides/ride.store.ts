import { Injectable } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/sequelize';
import { literal, QueryTypes, UniqueConstraintError } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { PreparedStatements } from '../database/prepared-statements';
import { distanceSql } from '../common/geo/earth-sql';
import { offsetOf, type PaginationQueryDto } from '../common/pagination/pagination.dto';
import { type RideAction, TRANSITIONS } from './ride-lifecycle';
import {
  COUNT_FREE_DRIVERS_NEAR_SQL,
  DRIVER_POSITION,
  FREE_DRIVERS_NEAR_SQL,
  freeDriversNearSql,
  openRidesForDriverSql,
  UNDER_WAY,
} from './nearby-sql';
import {
  ACTIVE_STATUSES,
  ASSIGNED_STATUSES,
  type Canceller,
  RideRequest,
  type RideStatus,
} from './ride-request.model';
import { type OpenRideRow, rideViewSql, type RideRow } from './ride-view';
import { statusListSql } from '../common/ride-statuses';
import type { LatLng } from '../common/geo/trip';

export type NewRide = Pick<
  RideRequest,
  | 'riderId'
  | 'serviceTypeId'
  | 'pickupLatitude'
  | 'pickupLongitude'
  | 'pickupAddress'
  | 'destinationLatitude'
  | 'destinationLongitude'
  | 'destinationAddress'
  | 'estimatedDistanceMiles'
  | 'estimatedDurationMinutes'
  | 'estimatedFare'
>;

/** Who asks for a transition: the predicate the conditional write adds for them. */
export type TransitionCaller =
  | { as: 'rider'; userId: number }
  | { as: 'driver'; userId: number }
  | { as: 'admin'; userId: number };

export interface RideFilters {
  riderId?: number;
  driverId?: number;
  /** Rides this user is the rider or the driver of. */
  participantId?: number;
  status?: RideStatus;
}

export interface RideState {
  id: number;
  status: RideStatus;
  riderId: number;
  driverId: number | null;
  serviceTypeId: number;
}

export interface FreeDriver {
  userId: number;
  distanceMeters: number;
}

/** How far from a ride's pickup its broadcast reaches, and how old a driver's position may be. */
export interface BroadcastArea {
  radiusKm: number;
  staleSeconds: number;
}

/** A ride's view, and the free drivers near its pickup when the statement was asked for them. */
export type RideWithNearby = RideRow & { freeDrivers?: FreeDriver[] };

/** Where to look for drivers free to take a ride. */
export interface FreeDriverSearch {
  point: LatLng;
  radiusKm: number;
  /** Only drivers of this service type; any type when undefined. */
  serviceTypeId?: number;
  /** Positions older than this are not trusted. */
  staleSeconds: number;
}

/**
 * The ride view of the rows a write returned (`source`) and, when `nearby`, the free drivers near
 * each ride's pickup as a JSON array, nearest first: broadcast dispatch tells them of the change,
 * and one statement spares a second round trip. They are read in the write's snapshot, where an
 * accepting driver is not yet busy: the ride's own driver is left out by name.
 */
function viewOfWriteSql(source: string, nearby: boolean): string {
  if (!nearby) return rideViewSql(source);
  const pickup = { latitude: 'view."pickupLatitude"', longitude: 'view."pickupLongitude"' };
  return `, view AS (${rideViewSql(source)})
    SELECT view.*, (
      SELECT coalesce(json_agg(json_build_object('userId', f."userId",
          'distanceMeters', f."distanceMeters") ORDER BY f."distanceMeters"), '[]'::json)
      FROM (SELECT d."userId", ${distanceSql(DRIVER_POSITION, pickup)} AS "distanceMeters"
        ${freeDriversNearSql(pickup, 'view."serviceTypeId"')}
          AND d."userId" IS DISTINCT FROM view."driverId") f
    ) AS "freeDrivers"
    FROM view`;
}

/** Statement texts by what shapes them: each is built once, not at every request. */
const texts = new Map<string, string>();
function textOf(shape: string, build: () => string): string {
  let text = texts.get(shape);
  if (text === undefined) {
    text = build();
    texts.set(shape, text);
  }
  return text;
}

const areaReplacements = (area: BroadcastArea | undefined) =>
  area ? { radiusMeters: area.radiusKm * 1000, staleSeconds: area.staleSeconds } : {};

/** What else a transition writes besides status, its timestamp and updatedAt. */
const EXTRA_CHANGES: Partial<Record<RideAction, string>> = {
  accept: `"driverId" = :callerId`,
  // Upfront pricing: the rider pays what they were quoted (rides from before quotes: the base fare).
  complete: `"finalFare" = coalesce(r."estimatedFare",
    (SELECT t."baseFare" FROM "ServiceTypes" t WHERE t.id = r."serviceTypeId"))`,
  cancel: `"cancelledBy" = :canceller, "cancelReason" = :reason`,
  release: `"driverId" = NULL, "acceptedAt" = NULL, "arrivingAt" = NULL,
    "requestedAt" = clock_timestamp(), "releaseReason" = :reason,
    "dispatchStep" = 0, "dispatchBatch" = 0`,
  expire: `"cancelledBy" = 'system', "cancelReason" = 'no_drivers_available'`,
};

const CALLER_PREDICATE: Record<TransitionCaller['as'], string> = {
  rider: `AND r."riderId" = :callerId`,
  driver: `AND r."driverId" = :callerId`,
  admin: '',
};

/**
 * A driver may take a ride only while it is unassigned, if they are online and drive its service
 * type. Checked inside the write itself, so no decision rests on an earlier read. The profile is
 * read FOR SHARE: a demotion or deletion in progress holds its row (DriversService.standDown), so
 * the accept waits for it and then sees the driver offline, or the demotion waits for the accept
 * and then sees the ride.
 */
const ACCEPT_PREDICATE = `AND r."driverId" IS NULL AND EXISTS (SELECT 1 FROM "DriverProfiles" p
  WHERE p."userId" = :callerId AND p."isOnline" AND p."serviceTypeId" = r."serviceTypeId"
  FOR SHARE OF p)`;

/**
 * Ranked dispatch: the caller must hold a live, unexpired offer for the ride. The offer row is
 * locked (FOR UPDATE) by the same statement: an expiry sweep or a decline that got there first
 * has ended it (this accept then re-reads it, no longer live, and changes nothing); one that comes
 * after waits and finds it accepted.
 */
const OFFERED_PREDICATE = `AND EXISTS (SELECT 1 FROM "RideOffers" o
  WHERE o."rideId" = r.id AND o."driverId" = :callerId AND o.status = 'live'
    AND o."expiresAt" > clock_timestamp()
  FOR UPDATE OF o)`;

/**
 * Writes to the ride's offers that belong to a transition, in the same statement (the rides
 * feature owns both tables): the winning offer becomes accepted only if the ride did (the partial
 * unique index on accepted offers is the last word on "one winner"), and a released ride's
 * accepted offer becomes released, so the next driver can win it and the releaser is not asked
 * again.
 */
const OFFER_CHANGES: Partial<Record<RideAction, string>> = {
  accept: `, offer AS (UPDATE "RideOffers" o SET status = 'accepted', "endedAt" = clock_timestamp()
     FROM changed c WHERE o."rideId" = c.id AND o."driverId" = :callerId AND o.status = 'live')`,
  release: `, offer AS (UPDATE "RideOffers" o SET status = 'released', "endedAt" = clock_timestamp()
     FROM changed c WHERE o."rideId" = c.id AND o.status = 'accepted')`,
};

/** The rides table's queries, each named for what it decides or finds. */
@Injectable()
export class RideStore {
  constructor(
    @InjectModel(RideRequest) private readonly rides: typeof RideRequest,
    @InjectConnection() private readonly sequelize: Sequelize,
    private readonly statements: PreparedStatements,
  ) {}

  /**
   * The new ride's view, in one statement with the insert (with the free drivers near its pickup
   * when `nearby` is given); undefined when the rider already has an active ride (the partial
   * unique index decides).
   */
  async insertRequested(
    ride: NewRide,
    nearby?: BroadcastArea,
  ): Promise<RideWithNearby | undefined> {
    const columns = Object.keys(ride) as (keyof NewRide)[];
    const sql = textOf(`insert:${columns.join()}:${nearby !== undefined}`, () => {
      return `WITH created AS (
           INSERT INTO "RideRequests" (${columns.map((column) => `"${column}"`).join(', ')},
             "createdAt", "updatedAt")
           VALUES (${columns.map((column) => `:${column}`).join(', ')}, now(), now())
           RETURNING *)
         ${viewOfWriteSql('created', nearby !== undefined)}`;
    });
    try {
      const [row] = await this.statements.rows<RideWithNearby>(sql, {
        ...ride,
        ...areaReplacements(nearby),
      });
      return row;
    } catch (error) {
      if (error instanceof UniqueConstraintError) return undefined;
      throw error;
    }
  }

  async findView(rideId: number): Promise<RideRow | undefined> {
    const [row] = await this.select<RideRow>(
      `${rideViewSql('"RideRequests"')} WHERE r.id = :rideId`,
      {
        rideId,
      },
    );
    return row;
  }

  async findState(rideId: number): Promise<RideState | undefined> {
    const [row] = await this.statements.rows<RideState>(
      `SELECT id, status, "riderId", "driverId", "serviceTypeId" FROM "RideRequests" WHERE id = :rideId`,
      { rideId },
    );
    return row;
  }

  /** A rider's active ride, or the ride a driver is on. */
  async findActive(userId: number, asDriver: boolean): Promise<RideRow | undefined> {
    const [row] = await this.statements.rows<RideRow>(
      `${rideViewSql('"RideRequests"')}
       WHERE r."${asDriver ? 'driverId' : 'riderId'}" = :userId
         AND r.status IN (${statusListSql(asDriver ? ASSIGNED_STATUSES : ACTIVE_STATUSES)})`,
      { userId },
    );
    return row;
  }

  /**
   * A page of rides matching every given filter, newest first; the rows and the count run side by
   * side. Each filter has an index: (riderId, createdAt), (driverId, createdAt).
   */
  async page(
    filters: RideFilters,
    page: PaginationQueryDto,
  ): Promise<{ rows: RideRow[]; total: number }> {
    const conditions = [
      filters.riderId !== undefined && 'r."riderId" = :riderId',
      filters.driverId !== undefined && 'r."driverId" = :driverId',
      filters.participantId !== undefined &&
        '(r."riderId" = :participantId OR r."driverId" = :participantId)',
      filters.status !== undefined && 'r.status = :status',
    ].filter(Boolean);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const replacements = { ...filters, limit: page.limit, offset: offsetOf(page) };
    const [rows, [count]] = await Promise.all([
      this.select<RideRow>(
        `${rideViewSql('"RideRequests"')} ${where}
         ORDER BY r."createdAt" DESC, r.id DESC LIMIT :limit OFFSET :offset`,
        replacements,
      ),
      this.select<{ total: number }>(
        `SELECT count(*)::int AS total FROM "RideRequests" r ${where}`,
        replacements,
      ),
    ]);
    return { rows, total: count.total };
  }

  /**
   * The transition table as one conditional write: the row changes only if it is still in a state
   * the action starts from and the caller still stands in the right relation to it. Concurrent
   * writes to one ride queue on its row lock and each re-checks the condition, so of two racing
   * transitions at most one applies. Returns the ride's new view (with the free drivers near its
   * pickup when `nearby` is given), or undefined if nothing changed. A driver's second ride in
   * progress is refused by the partial unique index (undefined too).
   */
  async transitionIfAllowed(
    rideId: number,
    action: RideAction,
    caller: TransitionCaller,
    details: { reason?: string; offered?: boolean; nearby?: BroadcastArea } = {},
  ): Promise<RideWithNearby | undefined> {
    const offered = action === 'accept' && details.offered === true;
    const nearby = details.nearby !== undefined;
    const sql = textOf(`${action}:${caller.as}:${offered}:${nearby}`, () => {
      const transition = TRANSITIONS[action];
      const predicate =
        action === 'accept'
          ? `${ACCEPT_PREDICATE} ${offered ? OFFERED_PREDICATE : ''}`
          : CALLER_PREDICATE[caller.as];
      return `WITH changed AS (
           UPDATE "RideRequests" r
             SET status = '${transition.to}', "${transition.stamp}" = clock_timestamp(),
               "updatedAt" = clock_timestamp()
             ${EXTRA_CHANGES[action] ? `, ${EXTRA_CHANGES[action]}` : ''}
           WHERE r.id = :rideId AND r.status IN (${statusListSql(transition.from)}) ${predicate}
           RETURNING r.*)
         ${OFFER_CHANGES[action] ?? ''}
         ${viewOfWriteSql('changed', nearby)}`;
    });
    const canceller: Canceller = caller.as;
    try {
      const [row] = await this.statements.rows<RideWithNearby>(sql, {
        rideId,
        callerId: caller.userId,
        canceller,
        reason: details.reason ?? null,
        ...areaReplacements(details.nearby),
      });
      return row;
    } catch (error) {
      if (error instanceof UniqueConstraintError) return undefined;
      throw error;
    }
  }

  /**
   * Cancels every REQUESTED ride nobody took within the timeout. One statement: instances running
   * it at once each lock and re-check the rows, so every ride is cancelled (and reported) once.
   */
  expireUnanswered(timeoutSeconds: number): Promise<RideRow[]> {
    const expire = TRANSITIONS.expire;
    return this.select<RideRow>(
      `WITH changed AS (
         UPDATE "RideRequests" r
           SET status = :to, "${expire.stamp}" = clock_timestamp(), "updatedAt" = clock_timestamp(),
           ${EXTRA_CHANGES.expire}
         WHERE r.status IN (:from) AND r."requestedAt" <= now() - make_interval(secs => :timeoutSeconds)
         RETURNING r.*)
       ${rideViewSql('changed')}`,
      { to: expire.to, from: expire.from, timeoutSeconds },
    );
  }

  /**
   * Only the rider of a COMPLETED ride, and only once. The view is read by a second statement: one
   * with the UPDATE in a CTE would compute the driver's average without the rating just given.
   */
  async rateIfCompleted(
    rideId: number,
    riderId: number,
    rating: number,
    comment: string | undefined,
  ): Promise<RideRow | undefined> {
    const [updated] = await this.rides.update(
      { rating, ratingComment: comment ?? null, ratedAt: literal('clock_timestamp()') },
      { where: { id: rideId, riderId, status: 'COMPLETED', rating: null } },
    );
    return updated === 0 ? undefined : this.findView(rideId);
  }

  /**
   * REQUESTED rides near where the driver last reported being, of their service type, nearest
   * first, ties by id; none when they are offline or their position is stale (nearby-sql). A
   * named statement, planned once per connection and page size.
   */
  findOpenRidesFor(
    driverId: number,
    search: { radiusKm: number; limit: number; staleSeconds: number },
  ): Promise<OpenRideRow[]> {
    return this.statements.rows<OpenRideRow>(
      openRidesForDriverSql(search.limit),
      { driverId, staleSeconds: search.staleSeconds, radiusMeters: search.radiusKm * 1000 },
      'read',
    );
  }

  /**
   * The ride a driver is on (accepted, arriving or in progress), served by the driver index. A
   * named statement: every location a driver sends asks it.
   */
  async findUnderWayFor(driverId: number): Promise<{ id: number; riderId: number } | undefined> {
    const [row] = await this.statements.rows<{ id: number; riderId: number }>(
      `SELECT id, "riderId" FROM "RideRequests"
       WHERE "driverId" = :driverId AND status IN (${UNDER_WAY})`,
      { driverId },
      'read',
    );
    return row;
  }

  /** The drivers a ride at this point could be offered to, nearest first: a named statement. */
  findFreeDriversNear(search: FreeDriverSearch): Promise<FreeDriver[]> {
    return this.statements.rows<FreeDriver>(
      FREE_DRIVERS_NEAR_SQL,
      freeDriverReplacements(search),
      'read',
    );
  }

  /** How many drivers are free near a point, and how far the nearest is: a named statement. */
  async countFreeDriversNear(
    search: FreeDriverSearch,
  ): Promise<{ count: number; nearestMeters: number | null }> {
    const [row] = await this.statements.rows<{ count: number; nearestMeters: number | null }>(
      COUNT_FREE_DRIVERS_NEAR_SQL,
      freeDriverReplacements(search),
      'read',
    );
    return row;
  }

  private select<T extends object>(
    sql: string,
    replacements: Record<string, unknown>,
  ): Promise<T[]> {
    return this.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  }
}

function freeDriverReplacements(search: FreeDriverSearch): Record<string, unknown> {
  return {
    latitude: search.point.latitude,
    longitude: search.point.longitude,
    radiusMeters: search.radiusKm * 1000,
    serviceTypeId: search.serviceTypeId ?? null,
    staleSeconds: search.staleSeconds,
  };
}
