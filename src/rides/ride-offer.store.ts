import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/sequelize';
import { QueryTypes, type Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { chordSql, distanceSql, withinRadiusSql } from '../common/geo/earth-sql';
import { PreparedStatements } from '../database/prepared-statements';
import { DRIVER_POSITION, UNDER_WAY } from './nearby-sql';
import type { OfferStatus } from './ride-offer.model';
import {
  type OpenRideRow,
  RIDE_ROUTE_COLUMNS,
  rideColumnsSql,
  type RideRouteRow,
} from './ride-view';

/** A ride waiting for its next batch of offers, with what the offer shows the driver. */
export interface DueRide extends RideRouteRow {
  riderId: number;
  dispatchStep: number;
  dispatchBatch: number;
}

/** A free driver a ride could be offered to. */
export interface Candidate {
  rideId: number;
  driverId: number;
  distanceMeters: number;
}

export interface NewOffer extends Candidate {
  batch: number;
}

/** An offer that just ended without an answer from its driver: expired, or withdrawn. */
export interface EndedOffer {
  rideId: number;
  driverId: number;
  status: Extract<OfferStatus, 'expired' | 'withdrawn'>;
  rideStatus: string;
}

export interface OfferState {
  status: OfferStatus;
  expiresAt: Date;
  /** Still live, but past its expiry (the sweep has not run yet). */
  lapsed: boolean;
}

export interface OfferedRideRow extends OpenRideRow {
  offerExpiresAt: Date;
}

export interface StandingCounts {
  offers: number;
  accepted: number;
  declined: number;
  expired: number;
  releases: number;
}

/** The driver is on a ride: accepted, arriving or in progress. */
const busySql = (driver: string) => `EXISTS (SELECT 1 FROM "RideRequests" busy
  WHERE busy."driverId" = ${driver} AND busy.status IN (${UNDER_WAY}))`;

/**
 * Every statement on the RideOffers table (ranked dispatch), and the dispatch columns of
 * RideRequests. Statements that are one step of a ride's lifecycle (accepting an offer, releasing
 * an accepted ride) are in RideStore's transitions, as one statement with the ride's change.
 */
@Injectable()
export class RideOfferStore {
  constructor(
    @InjectConnection() private readonly sequelize: Sequelize,
    private readonly statements: PreparedStatements,
  ) {}

  transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(work);
  }

  /**
   * Ends the live offers that can no longer be answered: those past their expiry (`expired`), and
   * those whose ride is no longer REQUESTED or whose driver went offline (`withdrawn`: the ride
   * was taken, cancelled or expired while no process told its drivers, e.g. it died; an offline
   * driver could not accept). One statement: concurrent sweeps lock and re-check each row, so each
   * offer is ended, and reported, by one of them.
   */
  endUnanswerable(now: Date): Promise<EndedOffer[]> {
    const offline = `NOT EXISTS (SELECT 1 FROM "DriverProfiles" d
      WHERE d."userId" = o."driverId" AND d."isOnline")`;
    return this.select<EndedOffer>(
      `UPDATE "RideOffers" o
         SET status = CASE WHEN r.status <> 'REQUESTED' OR ${offline} THEN 'withdrawn'
           ELSE 'expired' END,
           "endedAt" = :now
       FROM "RideRequests" r
       WHERE o.status = 'live' AND r.id = o."rideId"
         AND (o."expiresAt" <= :now OR r.status <> 'REQUESTED' OR ${offline})
       RETURNING o."rideId", o."driverId", o.status, r.status AS "rideStatus"`,
      { now },
    );
  }

  /**
   * Claims rides due a batch (REQUESTED, no live offer): their rows stay locked until the
   * transaction ends, and rows another dispatcher holds are skipped rather than waited for, so
   * concurrent dispatchers share the work without offering one ride twice. Oldest first.
   * Given `rideIds` (a request dispatching its own ride), it waits for a dispatcher holding one
   * instead: the request then answers after that ride's first batch is committed, by whoever.
   * `skipIds`: rides this run has dealt with already (still due if nobody could be offered them).
   */
  claimDue(
    transaction: Transaction,
    limit: number,
    rideIds: number[] | undefined,
    skipIds: number[],
  ): Promise<DueRide[]> {
    return this.select<DueRide>(
      `SELECT ${rideColumnsSql(RIDE_ROUTE_COLUMNS)}, r."riderId", r."dispatchStep", r."dispatchBatch"
       FROM "RideRequests" r
       WHERE r.status = 'REQUESTED'
         ${rideIds ? 'AND r.id IN (:rideIds)' : ''}
         ${skipIds.length > 0 ? 'AND r.id NOT IN (:skipIds)' : ''}
         AND NOT EXISTS (SELECT 1 FROM "RideOffers" o WHERE o."rideId" = r.id AND o.status = 'live')
       ORDER BY r."requestedAt", r.id
       LIMIT :limit
       FOR UPDATE OF r ${rideIds ? '' : 'SKIP LOCKED'}`,
      { limit, rideIds: rideIds ?? null, skipIds },
      transaction,
    );
  }

  /**
   * Of rides just claimed, those that have live offers after all. The claim's NOT EXISTS was read
   * in the statement's snapshot, which may predate the commit of the dispatcher that held the row
   * until then; this statement's snapshot is taken after the locks were granted, so it sees that
   * dispatcher's offers.
   */
  async withLiveOffers(transaction: Transaction, rideIds: number[]): Promise<Set<number>> {
    if (rideIds.length === 0) return new Set();
    const rows = await this.select<{ rideId: number }>(
      `SELECT DISTINCT "rideId" FROM "RideOffers" WHERE "rideId" IN (:rideIds) AND status = 'live'`,
      { rideIds },
      transaction,
    );
    return new Set(rows.map((row) => row.rideId));
  }

  /**
   * For each ride, its `perRide` nearest free candidates within its radius: online drivers of its
   * service type with a fresh position, on no ride, holding no live offer, never offered this ride
   * before except by a withdrawn offer (so not one who declined it, let it expire or released it),
   * and not its rider. The GiST index on online drivers' positions serves each ride's box; each
   * NOT EXISTS is a lookup in its own partial unique index. As one NOT EXISTS with an OR, the
   * planner read the whole live-offer index for every candidate (an OR of two bitmap scans, one
   * of them with no key): 8.5 s for a round of 50 rides at 100,000 online drivers, 84 ms now.
   */
  findCandidates(
    transaction: Transaction,
    rides: { rideId: number; radiusMeters: number }[],
    perRide: number,
    staleSeconds: number,
  ): Promise<Candidate[]> {
    if (rides.length === 0) return Promise.resolve([]);
    const pickup = { latitude: 'r."pickupLatitude"', longitude: 'r."pickupLongitude"' };
    return this.select<Candidate>(
      `SELECT q."rideId", c."driverId", c."distanceMeters"
       FROM unnest(ARRAY[:rideIds]::int[], ARRAY[:radii]::float8[]) AS q("rideId", "radiusMeters")
       JOIN "RideRequests" r ON r.id = q."rideId"
       CROSS JOIN LATERAL (
         SELECT d."userId" AS "driverId", ${distanceSql(DRIVER_POSITION, pickup)} AS "distanceMeters"
         FROM "DriverProfiles" d
         WHERE d."isOnline" AND d.latitude IS NOT NULL
           AND d."locationUpdatedAt" > now() - make_interval(secs => :staleSeconds)
           AND ${withinRadiusSql(DRIVER_POSITION, pickup, 'q."radiusMeters"')}
           AND d."serviceTypeId" = r."serviceTypeId" AND d."userId" <> r."riderId"
           AND NOT ${busySql('d."userId"')}
           AND NOT EXISTS (SELECT 1 FROM "RideOffers" o
             WHERE o."driverId" = d."userId" AND o.status = 'live')
           AND NOT EXISTS (SELECT 1 FROM "RideOffers" o
             WHERE o."rideId" = r.id AND o."driverId" = d."userId" AND o.status <> 'withdrawn')
         ORDER BY ${chordSql(DRIVER_POSITION, pickup)}, d."userId"
         LIMIT :perRide) c`,
      {
        rideIds: rides.map((ride) => ride.rideId),
        radii: rides.map((ride) => ride.radiusMeters),
        perRide,
        staleSeconds,
      },
      transaction,
    );
  }

  /**
   * Inserts the offers, skipping any the indexes refuse (the driver got a live offer from another
   * dispatcher meanwhile) or whose driver went offline or took a ride since the search. Rows go in
   * driver order, so two dispatchers inserting for overlapping drivers wait on each other in the
   * same order rather than deadlock. Returns the offers made.
   */
  insertLive(
    transaction: Transaction,
    offers: NewOffer[],
    now: Date,
    expiresAt: Date,
  ): Promise<(Candidate & { expiresAt: Date })[]> {
    if (offers.length === 0) return Promise.resolve([]);
    return this.select(
      `INSERT INTO "RideOffers" ("rideId", "driverId", batch, status, "distanceMeters",
         "offeredAt", "expiresAt")
       SELECT v."rideId", v."driverId", v.batch, 'live', v."distanceMeters", :now, :expiresAt
       FROM unnest(ARRAY[:rideIds]::int[], ARRAY[:driverIds]::int[], ARRAY[:batches]::int[],
         ARRAY[:distances]::float8[]) AS v("rideId", "driverId", batch, "distanceMeters")
       WHERE EXISTS (SELECT 1 FROM "DriverProfiles" d WHERE d."userId" = v."driverId" AND d."isOnline")
         AND NOT ${busySql('v."driverId"')}
       ORDER BY v."driverId"
       ON CONFLICT DO NOTHING
       RETURNING "rideId", "driverId", "distanceMeters", "expiresAt"`,
      {
        rideIds: offers.map((offer) => offer.rideId),
        driverIds: offers.map((offer) => offer.driverId),
        batches: offers.map((offer) => offer.batch),
        distances: offers.map((offer) => offer.distanceMeters),
        now,
        expiresAt,
      },
      transaction,
    );
  }

  /** One more batch went out for these rides. */
  async countBatch(transaction: Transaction, rideIds: number[]): Promise<void> {
    if (rideIds.length === 0) return;
    await this.sequelize.query(
      `UPDATE "RideRequests" SET "dispatchBatch" = "dispatchBatch" + 1 WHERE id IN (:rideIds)`,
      { replacements: { rideIds }, transaction },
    );
  }

  /** These rides' searches move to the next radius step. */
  async widen(transaction: Transaction, rideIds: number[]): Promise<void> {
    if (rideIds.length === 0) return;
    await this.sequelize.query(
      `UPDATE "RideRequests" SET "dispatchStep" = "dispatchStep" + 1 WHERE id IN (:rideIds)`,
      { replacements: { rideIds }, transaction },
    );
  }

  /** Ends the driver's live, unexpired offer of the ride; false if there was none. */
  async decline(rideId: number, driverId: number): Promise<boolean> {
    const rows = await this.select(
      `UPDATE "RideOffers" SET status = 'declined', "endedAt" = clock_timestamp()
       WHERE "rideId" = :rideId AND "driverId" = :driverId AND status = 'live'
         AND "expiresAt" > clock_timestamp()
       RETURNING id`,
      { rideId, driverId },
    );
    return rows.length > 0;
  }

  /** Withdraws the ride's live offers (it was taken or ended); the drivers who held them. */
  async withdrawLive(rideId: number): Promise<number[]> {
    const rows = await this.statements.rows<{ driverId: number }>(
      `UPDATE "RideOffers" SET status = 'withdrawn', "endedAt" = clock_timestamp()
       WHERE "rideId" = :rideId AND status = 'live'
       RETURNING "driverId"`,
      { rideId },
    );
    return rows.map((row) => row.driverId);
  }

  /** The driver's latest offer of the ride (there is at most one not withdrawn). */
  async find(rideId: number, driverId: number): Promise<OfferState | undefined> {
    const [row] = await this.select<OfferState>(
      `SELECT status, "expiresAt", status = 'live' AND "expiresAt" <= clock_timestamp() AS lapsed
       FROM "RideOffers" WHERE "rideId" = :rideId AND "driverId" = :driverId
       ORDER BY "offeredAt" DESC, id DESC LIMIT 1`,
      { rideId, driverId },
    );
    return row;
  }

  /** The rides offered to the driver now (live, unexpired): at most one, by the unique index. */
  findLiveFor(driverId: number): Promise<OfferedRideRow[]> {
    return this.select<OfferedRideRow>(
      `SELECT ${rideColumnsSql(RIDE_ROUTE_COLUMNS)}, o."distanceMeters", o."expiresAt" AS "offerExpiresAt"
       FROM "RideOffers" o JOIN "RideRequests" r ON r.id = o."rideId"
       WHERE o."driverId" = :driverId AND o.status = 'live' AND o."expiresAt" > clock_timestamp()
         AND r.status = 'REQUESTED'
       ORDER BY o."expiresAt", r.id`,
      { driverId },
    );
  }

  /**
   * How many offers in a row each driver has let expire, counted back from the latest offer they
   * answered (accepted, declined or released). Withdrawn offers are neither answers nor misses.
   */
  async missedInARow(driverIds: number[]): Promise<Map<number, number>> {
    if (driverIds.length === 0) return new Map();
    const rows = await this.select<{ driverId: number; missed: number }>(
      `SELECT o."driverId", count(*)::int AS missed FROM "RideOffers" o
       WHERE o."driverId" IN (:driverIds) AND o.status = 'expired'
         AND o."offeredAt" > coalesce((SELECT max(a."offeredAt") FROM "RideOffers" a
           WHERE a."driverId" = o."driverId" AND a.status IN ('accepted', 'declined', 'released')),
           '-infinity')
       GROUP BY o."driverId"`,
      { driverIds },
    );
    return new Map(rows.map((row) => [row.driverId, row.missed]));
  }

  /** The driver's offers made in the last `windowDays` days, by how they ended. */
  async countStanding(driverId: number, windowDays: number): Promise<StandingCounts> {
    const [row] = await this.select<StandingCounts>(
      `SELECT count(*) FILTER (WHERE status <> 'withdrawn')::int AS offers,
         count(*) FILTER (WHERE status IN ('accepted', 'released'))::int AS accepted,
         count(*) FILTER (WHERE status = 'declined')::int AS declined,
         count(*) FILTER (WHERE status = 'expired')::int AS expired,
         count(*) FILTER (WHERE status = 'released')::int AS releases
       FROM "RideOffers"
       WHERE "driverId" = :driverId AND "offeredAt" > now() - make_interval(days => :windowDays)`,
      { driverId, windowDays },
    );
    return row;
  }

  private select<T extends object>(
    sql: string,
    replacements: Record<string, unknown>,
    transaction?: Transaction,
  ): Promise<T[]> {
    return this.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction });
  }
}
