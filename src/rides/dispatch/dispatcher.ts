import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { DispatchConfig, RidesConfig } from '../../config/configuration';
import { DriversService } from '../../drivers/drivers.service';
import { Metrics } from '../../metrics/metrics';
import { RealtimeEvent, RealtimePublisher } from '../../realtime/realtime.publisher';
import { type Candidate, type DueRide, type EndedOffer, RideOfferStore } from '../ride-offer.store';
import { toOpenRideDto } from '../rides.mapper';
import { minCostAssignment } from './assignment';

/** Rides one dispatcher claims per transaction; more go in further rounds of the same run. */
const MAX_RIDES_PER_ROUND = 50;
/** Candidates per batch slot kept per ride: bounds the matrix at rides × batch × this columns. */
const CANDIDATES_PER_SLOT = 3;

export interface DispatchRun {
  /** The dispatcher's clock: offers are stamped and expired by it. Default: the real time. */
  now?: Date;
  /** Only these rides (a request dispatched on its own); default: every ride due. */
  rideIds?: number[];
  /**
   * Once aborted (the process is stopping), no round starts after the one under way: the rides
   * left are due for the next run, on this process or another.
   */
  stopping?: AbortSignal;
}

export interface DispatchOutcome {
  offered: number;
  expired: number;
  withdrawn: number;
}

/**
 * Ranked dispatch: each REQUESTED ride is offered to a batch of its nearest free drivers at a
 * time, each offer living DISPATCH_OFFER_SECONDS.
 *
 * A run (every tick on every API process, or inside a request when the window is off):
 * 1. ends every live offer past its expiry, or whose ride is no longer REQUESTED (one statement);
 *    drivers who let DISPATCH_MAX_MISSED_OFFERS offers in a row expire are set offline;
 * 2. in a transaction, claims the rides that are due (REQUESTED and without a live offer, i.e.
 *    every offer of their last batch has ended) with `SELECT … FOR UPDATE SKIP LOCKED`: each ride
 *    is dispatched by one process at a time, and a process that dies mid-run releases its locks
 *    with its connection, leaving the rides due for the next run anywhere (all state is in
 *    PostgreSQL);
 * 3. finds each ride's nearest free candidates within its current radius step, and splits them
 *    between the rides claimed together (the window) so that the most slots are filled and, among
 *    those, the sum of pickup distances is least: minCostAssignment over rows = ride × batch slot,
 *    columns = candidate drivers, cost = distance (Infinity beyond the ride's radius);
 * 4. inserts the offers (the partial unique index keeps one live offer per driver even against
 *    another process), counts the batch, and widens the radius of each ride that got no offer,
 *    trying it again at once at the next step; at the last step it waits for the next run;
 * 5. after the commit, sends `ride.offered` (with `expiresAt`) and `ride.taken` to drivers whose
 *    offer ended unanswered.
 * RIDE_REQUEST_TIMEOUT_SECONDS still ends an unanswered ride (RideExpiryService).
 */
@Injectable()
export class Dispatcher {
  private readonly logger = new Logger(Dispatcher.name);
  private readonly config: DispatchConfig;
  private readonly rides: RidesConfig;

  constructor(
    private readonly offers: RideOfferStore,
    private readonly drivers: DriversService,
    private readonly realtime: RealtimePublisher,
    private readonly metrics: Metrics,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<DispatchConfig>('dispatch');
    this.rides = config.getOrThrow<RidesConfig>('rides');
  }

  async run(options: DispatchRun = {}): Promise<DispatchOutcome> {
    const now = options.now ?? new Date();
    const ended = await this.offers.endUnanswerable(now);
    await this.reportEnded(ended);
    let offered = 0;
    const seen: number[] = [];
    for (;;) {
      const round = await this.dispatchRound(now, options.rideIds, seen);
      offered += round.offered;
      seen.push(...round.claimed);
      if (round.claimed.length < MAX_RIDES_PER_ROUND || options.rideIds) break;
      if (options.stopping?.aborted) break;
    }
    const expired = ended.filter((offer) => offer.status === 'expired').length;
    return { offered, expired, withdrawn: ended.length - expired };
  }

  private async dispatchRound(
    now: Date,
    rideIds: number[] | undefined,
    seen: number[],
  ): Promise<{ claimed: number[]; offered: number }> {
    const expiresAt = new Date(now.getTime() + this.config.offerSeconds * 1000);
    const lastStep = this.config.radiusStepsKm.length - 1;
    const { claimed, made, rides } = await this.offers.transaction(async (transaction) => {
      const claimedRides = await this.offers.claimDue(
        transaction,
        MAX_RIDES_PER_ROUND,
        rideIds,
        seen,
      );
      const busy = await this.offers.withLiveOffers(
        transaction,
        claimedRides.map((ride) => ride.id),
      );
      let waiting = claimedRides
        .filter((ride) => !busy.has(ride.id))
        .map((ride) => ({ ...ride, step: Math.min(ride.dispatchStep, lastStep) }));
      const offersMade: (Candidate & { expiresAt: Date })[] = [];
      const batched: number[] = [];
      while (waiting.length > 0) {
        const candidates = await this.offers.findCandidates(
          transaction,
          waiting.map((ride) => ({
            rideId: ride.id,
            radiusMeters: this.config.radiusStepsKm[ride.step] * 1000,
          })),
          this.config.batchSize * CANDIDATES_PER_SLOT,
          this.rides.locationStaleSeconds,
        );
        const chosen = this.assign(waiting, candidates);
        const made = await this.offers.insertLive(transaction, chosen, now, expiresAt);
        offersMade.push(...made);
        const served = new Set(made.map((offer) => offer.rideId));
        batched.push(...served);
        const widened = waiting.filter((ride) => !served.has(ride.id) && ride.step < lastStep);
        await this.offers.widen(
          transaction,
          widened.map((ride) => ride.id),
        );
        waiting = widened.map((ride) => ({ ...ride, step: ride.step + 1 }));
      }
      await this.offers.countBatch(transaction, batched);
      return {
        claimed: claimedRides.map((ride) => ride.id),
        made: offersMade,
        rides: claimedRides,
      };
    });
    this.announce(made, rides);
    return { claimed, offered: made.length };
  }

  /**
   * Splits the candidates between the rides: row = one batch slot of one ride, column = one
   * driver, cost = pickup distance (not allowed: a driver who is not that ride's candidate).
   */
  private assign(
    rides: (DueRide & { step: number })[],
    candidates: Candidate[],
  ): (Candidate & { batch: number })[] {
    const drivers = [...new Set(candidates.map((candidate) => candidate.driverId))];
    const column = new Map(drivers.map((driverId, index) => [driverId, index]));
    const distance = new Map(
      candidates.map((candidate) => [
        `${candidate.rideId}:${candidate.driverId}`,
        candidate.distanceMeters,
      ]),
    );
    const slots = rides.flatMap((ride) =>
      Array.from({ length: this.config.batchSize }, () => ride),
    );
    const cost = slots.map((ride) =>
      drivers.map((driverId) => distance.get(`${ride.id}:${driverId}`) ?? Infinity),
    );
    const assignment = minCostAssignment(cost);
    return slots.flatMap((ride, row) => {
      const j = assignment[row];
      if (j < 0) return [];
      const driverId = drivers[j];
      return [
        {
          rideId: ride.id,
          driverId,
          distanceMeters: cost[row][column.get(driverId)!],
          batch: ride.dispatchBatch + 1,
        },
      ];
    });
  }

  private announce(made: (Candidate & { expiresAt: Date })[], rides: DueRide[]): void {
    if (made.length === 0) return;
    const byId = new Map(rides.map((ride) => [ride.id, ride]));
    for (const offer of made) {
      const ride = byId.get(offer.rideId)!;
      this.realtime.toUser(offer.driverId, RealtimeEvent.RideOffered, {
        ride: toOpenRideDto({ ...ride, distanceMeters: offer.distanceMeters }),
        expiresAt: new Date(offer.expiresAt).toISOString(),
      });
    }
    this.metrics.rideOffers('offered', made.length);
  }

  /**
   * `ride.taken` to each driver whose offer ended unanswered; a driver whose misses in a row
   * reached a multiple of DISPATCH_MAX_MISSED_OFFERS goes offline, and is told why.
   */
  private async reportEnded(ended: EndedOffer[]): Promise<void> {
    if (ended.length === 0) return;
    for (const offer of ended) {
      this.realtime.toUser(offer.driverId, RealtimeEvent.RideTaken, {
        rideId: offer.rideId,
        status: offer.rideStatus,
      });
    }
    const expired = ended.filter((offer) => offer.status === 'expired');
    this.metrics.rideOffers('expired', expired.length);
    this.metrics.rideOffers('withdrawn', ended.length - expired.length);
    const missed = await this.offers.missedInARow(expired.map((offer) => offer.driverId));
    const limit = this.config.maxMissedOffers;
    for (const [driverId, count] of missed) {
      if (count === 0 || count % limit !== 0) continue;
      await this.drivers.setOnline(driverId, false);
      this.logger.log(`Driver ${driverId} set offline after ${count} missed offers`);
      this.realtime.toUser(driverId, RealtimeEvent.DriverStatus, {
        isOnline: false,
        reason: 'missed_offers',
        message: `You were set offline: ${count} ride offers in a row expired unanswered`,
      });
    }
  }
}
