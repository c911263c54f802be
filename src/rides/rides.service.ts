import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Caller } from '../common/auth/auth.decorators';
import {
  conflict,
  DomainError,
  DomainErrorCode,
  invalidInput,
  notFound,
} from '../common/errors/domain-error';
import { definedFields } from '../common/http/defined';
import { MAX_MONEY } from '../common/money';
import { type Page, pageOf, type PaginationQueryDto } from '../common/pagination/pagination.dto';
import {
  estimateTrip,
  fareFor,
  greatCircleMeters,
  type LatLng,
  type TripEstimate,
} from '../common/geo/trip';
import type { DispatchConfig, RidesConfig } from '../config/configuration';
import { DriversService } from '../drivers/drivers.service';
import { Metrics } from '../metrics/metrics';
import { RealtimeEvent, RealtimePublisher } from '../realtime/realtime.publisher';
import type { ServiceTypeDto } from '../service-types/dto/service-type.dto';
import { ServiceTypesService } from '../service-types/service-types.service';
import {
  type CreateRideDto,
  type EstimateDto,
  type OpenRidesQueryDto,
  type RideHistoryQueryDto,
  type TripDto,
} from './dto/ride-input.dto';
import type { EstimateResponseDto, OpenRideDto, RideDto } from './dto/ride.dto';
import { Dispatcher } from './dispatch/dispatcher';
import { RideOfferStore } from './ride-offer.store';
import { DriverLocationsService } from './driver-locations.service';
import { type RideAction, refusalMessage, TRANSITIONS } from './ride-lifecycle';
import { ASSIGNED_STATUSES } from './ride-request.model';
import {
  type BroadcastArea,
  type FreeDriver,
  type RideFilters,
  type RideState,
  RideStore,
  type RideWithNearby,
  type TransitionCaller,
} from './ride.store';
import type { RideRow } from './ride-view';
import { toOfferedRideDto, toOpenRideDto, toRideDto } from './rides.mapper';

/** Closer than this, pickup and destination are the same place. */
const MIN_TRIP_METERS = 10;

const pickupOf = (ride: { pickupLatitude: number; pickupLongitude: number }): LatLng => ({
  latitude: ride.pickupLatitude,
  longitude: ride.pickupLongitude,
});

/** Requests, quotes, matching and the lifecycle of rides; tells both parties of every change. */
@Injectable()
export class RidesService {
  private readonly logger = new Logger(RidesService.name);
  private readonly config: RidesConfig;
  private readonly dispatch: DispatchConfig;

  constructor(
    private readonly store: RideStore,
    private readonly locations: DriverLocationsService,
    private readonly realtime: RealtimePublisher,
    private readonly serviceTypes: ServiceTypesService,
    private readonly drivers: DriversService,
    private readonly metrics: Metrics,
    private readonly dispatcher: Dispatcher,
    private readonly offers: RideOfferStore,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<RidesConfig>('rides');
    this.dispatch = config.getOrThrow<DispatchConfig>('dispatch');
  }

  private get ranked(): boolean {
    return this.dispatch.mode === 'ranked';
  }

  /**
   * Broadcast mode: where the free drivers told of a ride's request or end are looked for, by the
   * statement that makes the change (see offer and withdrawOffer). Ranked mode asks for none.
   */
  private get broadcastArea(): BroadcastArea | undefined {
    if (this.ranked) return undefined;
    return {
      radiusKm: this.config.offerRadiusKm,
      staleSeconds: this.config.locationStaleSeconds,
    };
  }

  /**
   * The same trip for every active service type. A type chosen as a ride request would choose it
   * (400 if it cannot be) comes first, so a client can show its price without searching the list.
   */
  async estimate(trip: EstimateDto): Promise<EstimateResponseDto> {
    const chosen =
      trip.serviceTypeId !== undefined || trip.serviceType !== undefined
        ? await this.serviceTypes.findForRide(trip)
        : undefined;
    const estimate = estimateTrip(greatCircleMeters(...endpoints(trip)), this.config);
    const active = await this.serviceTypes.listActive();
    const types = chosen ? [chosen, ...active.filter((type) => type.id !== chosen.id)] : active;
    return {
      ...estimate,
      quotes: types.map((type) => ({
        serviceType: type,
        ...estimate,
        fare: fareFor(type, estimate),
      })),
    };
  }

  async request(riderId: number, dto: CreateRideDto): Promise<RideDto> {
    const meters = greatCircleMeters(...endpoints(dto));
    if (meters < MIN_TRIP_METERS) {
      const message = 'destination must be a different place from pickup';
      throw invalidInput(message, [{ field: 'destinationLatitude', message }]);
    }
    const type = await this.serviceTypes.findForRide(dto);
    const estimate = estimateTrip(meters, this.config);
    const fare = fareFor(type, estimate);
    if (fare > MAX_MONEY) throw this.misconfigured(type, estimate);
    const ride = await this.store.insertRequested(
      {
        riderId,
        serviceTypeId: type.id,
        pickupLatitude: dto.pickupLatitude,
        pickupLongitude: dto.pickupLongitude,
        pickupAddress: dto.pickupAddress,
        destinationLatitude: dto.destinationLatitude,
        destinationLongitude: dto.destinationLongitude,
        destinationAddress: dto.destinationAddress,
        estimatedDistanceMiles: estimate.distanceMiles,
        estimatedDurationMinutes: estimate.durationMinutes,
        estimatedFare: fare,
      },
      this.broadcastArea,
    );
    if (!ride) {
      const active = await this.store.findActive(riderId, false);
      throw conflict(
        `You already have an active ride${active ? ` (ride ${active.id}, ${active.status})` : ''}`,
      );
    }
    this.metrics.rideTransitioned('request');
    await this.offer(ride);
    return toRideDto(ride);
  }

  async findOne(rideId: number, caller: Caller): Promise<RideDto> {
    const ride = await this.store.findView(rideId);
    if (!ride || !isParty(ride, caller)) throw notFound('Ride', rideId);
    return toRideDto(ride);
  }

  async findActive(caller: Caller): Promise<RideDto | null> {
    const ride = await this.store.findActive(caller.id, caller.role === 'driver');
    return ride ? toRideDto(ride) : null;
  }

  /** The caller's rides: as driver for drivers, as rider for everyone else. */
  history(caller: Caller, query: RideHistoryQueryDto): Promise<Page<RideDto>> {
    // A driver account may also have booked rides as a rider (the original server allowed it).
    const mine = caller.role === 'driver' ? { participantId: caller.id } : { riderId: caller.id };
    return this.list({ ...mine, status: query.status }, query);
  }

  /** Anyone's rides, for admins. */
  async list(filters: RideFilters, page: PaginationQueryDto): Promise<Page<RideDto>> {
    const { rows, total } = await this.store.page(definedFields(filters), page);
    return pageOf(rows.map(toRideDto), total, page);
  }

  /**
   * Rides a driver could take now, from where they last reported being; in ranked mode, the rides
   * offered to them now (the search parameters do not apply).
   */
  async findOpen(driverId: number, query: OpenRidesQueryDto): Promise<OpenRideDto[]> {
    if (this.ranked) {
      const offered = await this.offers.findLiveFor(driverId);
      return offered.map(toOfferedRideDto);
    }
    const staleSeconds = this.config.locationStaleSeconds;
    const rows = await this.store.findOpenRidesFor(driverId, {
      radiusKm: query.radiusKm,
      limit: query.limit,
      staleSeconds,
    });
    if (rows.length > 0) return rows.map(toOpenRideDto);
    // None: either there are none near, or the driver may not look (the statement cannot say).
    const position = await this.drivers.findPosition(driverId, staleSeconds);
    if (!position) throw notFound('Driver profile of user', driverId);
    if (!position.isOnline) throw conflict('Go online to see open rides');
    if (!position.fresh) {
      throw conflict('Send your location (PUT /api/drivers/me/location) to see open rides');
    }
    return [];
  }

  /** Of any number of simultaneous accepts, the conditional write lets exactly one through. */
  async accept(rideId: number, caller: Caller): Promise<RideDto> {
    const as = actorOf('accept', caller);
    const ride = await this.store.transitionIfAllowed(
      rideId,
      'accept',
      { as, userId: caller.id },
      { offered: this.ranked, nearby: this.broadcastArea },
    );
    if (!ride) throw await this.refusalOfAccept(rideId, caller.id);
    this.metrics.rideTransitioned('accept');
    if (this.ranked) this.metrics.rideOffers('accepted');
    this.tellParties(ride);
    await this.withdrawOffer(ride);
    return toRideDto(ride);
  }

  /**
   * Every other transition a caller asks for: arriving, start, complete, release (the ride's
   * driver) and cancel (its rider, or an admin). A released ride is offered again, not to the
   * driver who gave it back.
   */
  async advance(
    rideId: number,
    action: Exclude<RideAction, 'accept' | 'expire'>,
    caller: Caller,
    reason?: string,
  ): Promise<RideDto> {
    const as = actorOf(action, caller);
    const ride = await this.store.transitionIfAllowed(
      rideId,
      action,
      { as, userId: caller.id },
      {
        reason,
        nearby: action === 'cancel' || action === 'release' ? this.broadcastArea : undefined,
      },
    );
    if (!ride) throw await this.refusal(rideId, action, caller);
    this.metrics.rideTransitioned(action);
    this.tellParties(ride);
    if (action === 'release') {
      this.realtime.toUser(caller.id, RealtimeEvent.RideUpdated, toRideDto(ride));
      await this.offer(ride, caller.id);
    }
    if (action === 'cancel' && ride.acceptedAt === null) await this.withdrawOffer(ride);
    return toRideDto(ride);
  }

  async rate(rideId: number, riderId: number, rating: number, comment?: string): Promise<RideDto> {
    const ride = await this.store.rateIfCompleted(rideId, riderId, rating, comment);
    if (!ride) {
      const state = await this.store.findState(rideId);
      if (!state || state.riderId !== riderId) throw notFound('Ride', rideId);
      if (state.status !== 'COMPLETED') {
        throw conflict(
          `Ride ${rideId} is ${state.status}; only a COMPLETED ride can be rated`,
          DomainErrorCode.RideStateConflict,
        );
      }
      throw conflict(`Ride ${rideId} has already been rated`);
    }
    this.tellParties(ride);
    return toRideDto(ride);
  }

  /**
   * Ranked mode: the driver turns down the ride offered to them; it goes to the next candidates
   * (at once when the window is off, else in the next window). 404 if the ride does not exist or
   * was never offered to the caller, 409 if their offer is no longer live.
   */
  async decline(rideId: number, driverId: number): Promise<string> {
    if (!this.ranked) {
      throw conflict(
        'Rides are offered to every nearby driver (DISPATCH_MODE=broadcast); ignore the offer instead',
      );
    }
    if (await this.offers.decline(rideId, driverId)) {
      this.metrics.rideOffers('declined');
      if (this.dispatch.windowMs === 0) await this.dispatchAtOnce(rideId);
      return `You declined ride ${rideId}`;
    }
    const offer = await this.offers.find(rideId, driverId);
    if (!offer) throw notFound('Ride', rideId);
    if (offer.lapsed || offer.status === 'expired') {
      throw conflict(
        `Your offer for ride ${rideId} has expired`,
        DomainErrorCode.RideStateConflict,
      );
    }
    throw conflict(
      `Your offer for ride ${rideId} is no longer open (${offer.status})`,
      DomainErrorCode.RideStateConflict,
    );
  }

  /** Called by the expiry job; each ride is reported by the one instance that cancelled it. */
  async expireUnanswered(): Promise<number> {
    const expired = await this.store.expireUnanswered(this.config.requestTimeoutSeconds);
    if (expired.length > 0) this.metrics.rideTransitioned('expire', expired.length);
    for (const ride of expired) {
      this.tellParties(ride);
      await this.withdrawOffer(ride);
    }
    return expired.length;
  }

  /**
   * Rates are bounded when they are set, so only a later change of RIDE_ROAD_FACTOR or
   * RIDE_AVERAGE_SPEED_MPH (or rates written around the API) gets here. The rider asked for
   * nothing wrong: 409 on the service type, and a warning for whoever runs the service.
   */
  private misconfigured(type: ServiceTypeDto, trip: TripEstimate): DomainError {
    this.logger.warn(
      `Service type ${type.id} quotes more than ${MAX_MONEY} for a ${trip.distanceMiles}-mile ` +
        'trip; lower its rates (PATCH /api/service-types/:id)',
    );
    return conflict(
      `The fares of service type "${type.name}" are misconfigured: this trip would cost more ` +
        `than ${MAX_MONEY}. Choose another service type.`,
    );
  }

  /** `ride.updated` (the ride's view) to its rider and its driver. */
  private tellParties(ride: RideRow): void {
    const view = toRideDto(ride);
    this.realtime.toUsers(
      ride.driverId === null ? [ride.riderId] : [ride.riderId, ride.driverId],
      RealtimeEvent.RideUpdated,
      view,
    );
  }

  /**
   * Ranked: the ride's first batch (or, after a release, its next) goes out inside the request when
   * the window is off, else with the next window. Broadcast: `ride.offered` to free drivers of the
   * ride's type near its pickup, each with their distance, but not to `except` (who released it).
   */
  private async offer(ride: RideWithNearby, except?: number): Promise<void> {
    if (this.ranked) {
      if (this.dispatch.windowMs === 0) await this.dispatchAtOnce(ride.id);
      return;
    }
    return this.bestEffort('ride.offered', async () => {
      const drivers = await this.freeDriversNear(ride);
      for (const driver of drivers) {
        if (driver.userId === except) continue;
        this.realtime.toUser(driver.userId, RealtimeEvent.RideOffered, {
          ride: toOpenRideDto({ ...ride, distanceMeters: driver.distanceMeters }),
        });
      }
    });
  }

  /** This ride now, on its own (its row is claimed like the dispatcher's). */
  private dispatchAtOnce(rideId: number): Promise<void> {
    return this.bestEffort('ride.offered', async () => {
      await this.dispatcher.run({ rideIds: [rideId] });
    });
  }

  /**
   * `ride.taken` to the drivers a ride was on offer to, once it no longer is: in ranked mode those
   * whose live offer this withdraws (a crash before this point leaves them to the dispatcher's
   * sweep), in broadcast mode every free driver near it.
   */
  private withdrawOffer(ride: RideWithNearby): Promise<void> {
    return this.bestEffort('ride.taken', async () => {
      if (this.ranked) {
        const holders = await this.offers.withdrawLive(ride.id);
        this.metrics.rideOffers('withdrawn', holders.length);
        this.realtime.toUsers(holders, RealtimeEvent.RideTaken, {
          rideId: ride.id,
          status: ride.status,
        });
        return;
      }
      const drivers = await this.freeDriversNear(ride);
      this.realtime.toUsers(
        drivers.map((driver) => driver.userId),
        RealtimeEvent.RideTaken,
        { rideId: ride.id, status: ride.status },
      );
    });
  }

  /** Broadcast mode: those the ride's own statement found, else a search now. */
  private freeDriversNear(ride: RideWithNearby): Promise<FreeDriver[]> {
    if (ride.freeDrivers) return Promise.resolve(ride.freeDrivers);
    return this.locations.findAvailableNear(pickupOf(ride), ride.serviceTypeId);
  }

  /**
   * Notifications run after the change is committed, inside the request: the search for drivers
   * near the pickup then holds back the next request from this client rather than piling up
   * without bound behind the pool. Their failure is logged, never reported as the request's (a
   * retry would meet the ride already changed).
   */
  private async bestEffort(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.warn(`${what} not sent: ${(error as Error).message}`);
    }
  }

  private async refusalOfAccept(rideId: number, driverId: number): Promise<DomainError> {
    const [ride, profile] = await Promise.all([
      this.store.findState(rideId),
      this.drivers.findProfile(driverId),
    ]);
    if (!ride) return notFound('Ride', rideId);
    if (ASSIGNED_STATUSES.includes(ride.status)) {
      return ride.driverId === driverId
        ? conflict(
            `You have already accepted ride ${rideId} (it is ${ride.status})`,
            DomainErrorCode.RideStateConflict,
          )
        : conflict(taken(rideId), DomainErrorCode.RideAlreadyTaken);
    }
    // Any driver may try to take a ride, so any driver learns why not: its state, nothing more.
    if (ride.status !== 'REQUESTED') {
      return conflict(
        refusalMessage(rideId, 'accept', ride.status),
        DomainErrorCode.RideStateConflict,
      );
    }
    if (this.ranked) {
      const refused = await this.refusalOfOffer(rideId, driverId);
      if (refused) return refused;
    }
    if (!profile) return notFound('Driver profile of user', driverId);
    if (!profile.isOnline) return conflict('Go online before accepting rides');
    if (profile.serviceTypeId !== ride.serviceTypeId) {
      return new DomainError(
        DomainErrorCode.Forbidden,
        `Ride ${rideId} is for another service type than yours (${profile.serviceType.name})`,
      );
    }
    const current = await this.store.findActive(driverId, true);
    if (current) return conflict(`You already have an active ride (ride ${current.id})`);
    return conflict(taken(rideId), DomainErrorCode.RideAlreadyTaken);
  }

  /** In ranked mode only an offered driver may accept: why this one may not, if that is why. */
  private async refusalOfOffer(rideId: number, driverId: number): Promise<DomainError | undefined> {
    const offer = await this.offers.find(rideId, driverId);
    if (!offer || offer.status === 'withdrawn') {
      return conflict(`Ride ${rideId} was not offered to you`);
    }
    if (offer.lapsed || offer.status === 'expired') {
      return conflict(`Your offer for ride ${rideId} has expired`);
    }
    if (offer.status !== 'live') {
      return conflict(`Your offer for ride ${rideId} is no longer open (${offer.status})`);
    }
    return undefined;
  }

  /** Why a transition did not apply: 404 to whoever may not see the ride, else 409 naming its state. */
  private async refusal(rideId: number, action: RideAction, caller: Caller): Promise<DomainError> {
    const ride = await this.store.findState(rideId);
    if (!ride || !isParty(ride, caller)) return notFound('Ride', rideId);
    return conflict(refusalMessage(rideId, action, ride.status), DomainErrorCode.RideStateConflict);
  }
}

const taken = (rideId: number) => `Ride ${rideId} has already been taken by another driver`;

function endpoints(trip: TripDto): [LatLng, LatLng] {
  return [
    { latitude: trip.pickupLatitude, longitude: trip.pickupLongitude },
    { latitude: trip.destinationLatitude, longitude: trip.destinationLongitude },
  ];
}

/** The ride's rider, its driver, or an admin: the only callers who may see a ride. */
function isParty(
  ride: Pick<RideState, 'riderId' | 'driverId'>,
  caller: Pick<Caller, 'id' | 'role'>,
): boolean {
  return caller.role === 'admin' || ride.riderId === caller.id || ride.driverId === caller.id;
}

/** The caller as one of the actors the transition table allows for this action; 403 otherwise. */
function actorOf(action: RideAction, caller: Caller): TransitionCaller['as'] {
  const as = caller.role as TransitionCaller['as'];
  if (TRANSITIONS[action].actors.includes(as)) return as;
  throw new DomainError(
    DomainErrorCode.Forbidden,
    `A ${caller.role} account cannot ${action} a ride`,
  );
}
