import type { Socket } from 'socket.io-client';
import { Progress } from '../common';
import { ApiClient, connectRealtime, eachLimited, type Session, signUp } from './client';
import { along, distanceKm, type LatLng, pointIn, pointNear } from './geo';
import { Random, unitOf } from './random';
import {
  type AcceptRecord,
  type BusyRecord,
  type Counters,
  type OfferRecord,
  type RequestRecord,
  type SimulationOptions,
  TERMINAL,
  type Trace,
} from './trace';

/**
 * The city: drivers and riders as phones, each with its own account, token and /realtime socket,
 * driving straight lines across the metro area and answering offers. Everything the report needs
 * is recorded as it happens (see trace.ts); nothing is decided from the API's internals.
 */

/** Trips are 1–12 km; idle drivers cruise 0.5–3 km at a time. */
const TRIP_KM = [1, 12] as const;
const CRUISE_KM = [0.5, 3] as const;
/** A pickup's key: the same 6-decimal coordinates the rider sent come back in the offer. */
const pickupKey = (point: { latitude: number; longitude: number }) =>
  `${point.latitude.toFixed(6)},${point.longitude.toFixed(6)}`;

interface Arrival {
  index: number;
  /** Milliseconds after the start. */
  at: number;
  pickup: LatLng;
  destination: LatLng;
}

/** The requests of a run: Poisson arrivals within the bounds, from the seed alone. */
export function arrivalsFor(options: SimulationOptions): Arrival[] {
  const random = new Random(options.seed, 'arrivals');
  const arrivals: Arrival[] = [];
  let at = 0;
  for (let index = 0; index < options.maxRequests; index += 1) {
    at += random.exponential(1000 / options.rate);
    if (at >= options.seconds * 1000) break;
    const pickup = pointIn(options.area, random);
    let destination = pointNear(pickup, random.between(...TRIP_KM), options.area, random);
    // Clamped against the area's edge, a trip can shrink to nothing: draw again, inward.
    while (distanceKm(pickup, destination) < TRIP_KM[0] / 2) {
      destination = pointIn(options.area, random);
    }
    arrivals.push({ index, at, pickup, destination });
  }
  return arrivals;
}

interface Leg {
  from: LatLng;
  to: LatLng;
  startedAt: number;
  km: number;
  timer?: NodeJS.Timeout;
}

interface OfferedRide {
  record: OfferRecord;
  pickup: LatLng;
  destination: LatLng;
}

interface Driver {
  index: number;
  session: Session;
  socket?: Socket;
  random: Random;
  position: LatLng;
  leg: Leg | null;
  /** idle and deciding drivers cruise; the other two drive a ride. */
  state: 'idle' | 'deciding' | 'toPickup' | 'onTrip';
  /** Offers received and not yet answered, oldest first. */
  queue: OfferedRide[];
  /** Offers not yet ended, by ride. */
  live: Map<number, OfferRecord>;
  ride: { rideId: number; since: number } | null;
}

interface Rider {
  index: number;
  session: Session;
  socket?: Socket;
  /** A request is on its way or a ride is active: the rider asks for nothing else. */
  busy: boolean;
  /** The ride the rider is on, once its request is answered. */
  rideId?: number;
}

export class City {
  private readonly api: ApiClient;
  private readonly drivers: Driver[] = [];
  private readonly riders: Rider[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private running = false;
  private readonly kmPerMs: number;

  private readonly requests: RequestRecord[] = [];
  private readonly requestByPickup = new Map<string, RequestRecord>();
  private readonly riderOfRide = new Map<number, Rider>();
  private readonly offers: OfferRecord[] = [];
  private readonly accepts: AcceptRecord[] = [];
  private readonly busy: BusyRecord[] = [];
  private readonly errors: string[] = [];
  private readonly counters: Counters = {
    acceptsSent: 0,
    acceptsWon: 0,
    acceptsRefused: 0,
    declinesSent: 0,
    declineAnswers: {},
    offersWhileBusy: 0,
    offersGoneBeforeAnswer: 0,
    setOffline: 0,
    noFreeRider: 0,
    openListed: 0,
    locationReports: 0,
    locationRefusals: 0,
  };
  /** Rides whose end (COMPLETED or CANCELLED) a party has seen. */
  private readonly ended = new Set<number>();

  constructor(private readonly options: SimulationOptions) {
    this.api = new ApiClient(options.apiUrl);
    this.kmPerMs = (options.speedKmh * options.timeScale) / 3_600_000;
  }

  async run(): Promise<Trace> {
    const setupStarted = Date.now();
    await this.setUp().catch((error: unknown) => {
      // Sockets reconnect by themselves: left open, they would keep the process alive.
      this.closeSockets();
      throw error;
    });
    const setupMs = Date.now() - setupStarted;

    this.running = true;
    const startedAt = Date.now();
    const arrivals = arrivalsFor(this.options);
    for (const arrival of arrivals) this.after(arrival.at, () => this.request(arrival));
    for (const driver of this.drivers) {
      this.cruise(driver);
      // Spread over the interval, so reports arrive evenly rather than in bursts.
      const offset = ((driver.index % 97) / 97) * this.options.locationSeconds * 1000;
      this.after(offset, () => this.reportLocationEvery(driver));
    }
    await this.waitForEnd(startedAt, arrivals.length);
    const endedAt = Date.now();
    await this.stop(endedAt);
    await this.endLeftovers();
    await this.tearDown();
    return {
      options: {
        drivers: this.options.drivers,
        riders: this.options.riders,
        rate: this.options.rate,
        seconds: this.options.seconds,
        maxRequests: this.options.maxRequests,
        seed: this.options.seed,
        acceptProbability: this.options.acceptProbability,
        reactionMs: this.options.reactionMs,
        speedKmh: this.options.speedKmh,
        timeScale: this.options.timeScale,
        locationSeconds: this.options.locationSeconds,
        drainSeconds: this.options.drainSeconds,
        area: this.options.area,
        setupConcurrency: this.options.setupConcurrency,
      },
      setupMs,
      startedAt,
      endedAt,
      requests: this.requests,
      accepts: this.accepts,
      offers: this.offers,
      busy: this.busy,
      counters: this.counters,
      unexpected: Object.fromEntries(this.api.unexpected),
      errors: this.errors,
    };
  }

  // ── set-up and tear-down ─────────────────────────────────────────────────────────────────

  /** Accounts over HTTP (as the app makes them), sockets, then every driver online where it is. */
  private async setUp(): Promise<void> {
    const { drivers, riders, setupConcurrency, seed, area } = this.options;
    const tag = Date.now().toString(36);
    const progress = this.options.progress
      ? new Progress(`set-up: ${drivers} drivers, ${riders} riders`)
      : undefined;
    let done = 0;
    const tick = () => progress?.update((done += 1), drivers + riders);
    const slots = [
      ...Array.from({ length: drivers }, (_, i) => ({ role: 'driver' as const, i })),
      ...Array.from({ length: riders }, (_, i) => ({ role: 'rider' as const, i })),
    ];
    await eachLimited(slots, setupConcurrency, async ({ role, i }) => {
      const name = `sim-${tag}-${role[0]}${i}`;
      const session = await signUp(this.api, role, name, `${tag}${i}`.toUpperCase());
      const socket = await connectRealtime(this.api.base, session.token);
      if (role === 'driver') {
        const random = new Random(seed, 'driver', i);
        const driver: Driver = {
          index: i,
          session,
          socket,
          random,
          position: pointIn(area, random),
          leg: null,
          state: 'idle',
          queue: [],
          live: new Map(),
          ride: null,
        };
        this.drivers[i] = driver;
        this.listenAsDriver(driver, socket);
      } else {
        const rider: Rider = { index: i, session, socket, busy: false };
        this.riders[i] = rider;
        socket.on('ride.updated', (ride: { id: number; status: string }) => this.rideUpdated(ride));
      }
      tick();
    });
    await eachLimited(this.drivers, setupConcurrency, async (driver) => {
      await this.expect(200, 'PATCH', '/api/drivers/me/update-status', driver, { isOnline: true });
      await this.expect(200, 'PUT', '/api/drivers/me/location', driver, driver.position);
    });
    progress?.done();
  }

  private async expect(
    status: number,
    method: string,
    path: string,
    who: { session: Session },
    body?: object,
  ): Promise<void> {
    const answer = await this.api.call(method, path, who.session.token, body);
    if (answer.status !== status) {
      throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }

  /** Drivers offline (a later run against the same API starts from an empty street), sockets closed. */
  private async tearDown(): Promise<void> {
    await eachLimited(this.drivers, this.options.setupConcurrency, async (driver) => {
      await this.api.call('PATCH', '/api/drivers/me/update-status', driver.session.token, {
        isOnline: false,
      });
    });
    this.closeSockets();
  }

  private closeSockets(): void {
    for (const party of [...this.drivers, ...this.riders]) party?.socket?.close();
  }

  /** Until the requests are all sent and then every ride has ended or the drain time is up. */
  private async waitForEnd(startedAt: number, arrivals: number): Promise<void> {
    const { seconds, drainSeconds } = this.options;
    const progress = this.options.progress ? new Progress('simulate') : undefined;
    const arrivalsEnd = startedAt + seconds * 1000;
    const deadline = arrivalsEnd + drainSeconds * 1000;
    for (;;) {
      const now = Date.now();
      const sent = this.requests.length + this.counters.noFreeRider;
      const active = this.requests.filter(
        (request) => request.rideId !== null && !this.ended.has(request.rideId),
      ).length;
      const matched = this.accepts.length;
      progress?.update(
        Math.round((now - startedAt) / 1000),
        seconds + drainSeconds,
        `requests ${sent}/${arrivals}, matched ${matched}, active ${active}`,
      );
      if ((sent >= arrivals && active === 0) || now >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    progress?.done();
  }

  /** No more moves, answers or reports; offers and rides still open are closed at `at`. */
  private async stop(at: number): Promise<void> {
    this.running = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const driver of this.drivers) {
      if (driver.ride) this.busy.push({ driver: driver.index, from: driver.ride.since, to: at });
      driver.ride = null;
    }
    // Answers already on their way still count (an accept may win), so they are awaited.
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    for (const offer of this.offers) {
      if (offer.endedAt !== null) continue;
      const expired = offer.expiresAt !== null && offer.expiresAt <= at;
      offer.endedAt = expired ? offer.expiresAt : at;
      offer.ending = expired ? 'expired' : 'run-ended';
    }
  }

  /**
   * Rides still under way at the bound: the rider cancels what can be cancelled, the driver
   * completes a trip in progress. Then every ride's final state is read back from the API.
   */
  private async endLeftovers(): Promise<void> {
    const created = this.requests.filter((request) => request.rideId !== null);
    const concurrency = this.options.setupConcurrency;
    await eachLimited(created, concurrency, async (request) => {
      const rider = this.riders[request.rider];
      const path = `/api/rides/${request.rideId}`;
      const current = await this.api.call('GET', path, rider.session.token);
      const status: string | undefined = current.body?.ride?.status;
      if (status === 'REQUESTED' || status === 'ACCEPTED' || status === 'ARRIVING') {
        const cancel = await this.api.call('POST', `${path}/cancel`, rider.session.token, {
          reason: 'simulation_ended',
        });
        if (cancel.status === 200) request.endedBySimulator = 'cancelled';
      } else if (status === 'IN_PROGRESS') {
        const driver = this.drivers.find((d) => d.session.userId === current.body.ride.driverId);
        const complete = driver
          ? await this.api.call('POST', `${path}/complete`, driver.session.token)
          : undefined;
        if (complete?.status === 200) request.endedBySimulator = 'completed';
      }
      const final = await this.api.call('GET', path, rider.session.token);
      request.finalStatus = final.body?.ride?.status ?? `HTTP ${final.status}`;
      request.cancelReason = final.body?.ride?.cancelReason ?? null;
      request.cancelledBy = final.body?.ride?.cancelledBy ?? null;
    });
  }

  // ── scheduling ───────────────────────────────────────────────────────────────────────────

  /**
   * `work` after `ms`, unless the run has stopped (nothing is scheduled then, so no timer keeps
   * the process alive); its failure is recorded, not thrown.
   */
  private after(ms: number, work: () => void | Promise<void>): NodeJS.Timeout | undefined {
    if (!this.running) return undefined;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.running) this.track(work);
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private track(work: () => void | Promise<void>): void {
    const promise = Promise.resolve()
      .then(work)
      .catch((error: unknown) => {
        this.errors.push(error instanceof Error ? error.message : String(error));
      })
      .finally(() => this.inFlight.delete(promise));
    this.inFlight.add(promise);
  }

  // ── riders ───────────────────────────────────────────────────────────────────────────────

  private async request(arrival: Arrival): Promise<void> {
    const rider = this.riders.find((candidate) => !candidate.busy);
    if (!rider) {
      this.counters.noFreeRider += 1;
      return;
    }
    rider.busy = true;
    const record: RequestRecord = {
      index: arrival.index,
      rider: rider.index,
      pickup: arrival.pickup,
      destination: arrival.destination,
      sentAt: Date.now(),
      createStatus: 0,
      rideId: null,
      finalStatus: null,
      cancelReason: null,
      cancelledBy: null,
      endedBySimulator: null,
    };
    this.requests.push(record);
    this.requestByPickup.set(pickupKey(arrival.pickup), record);
    const answer = await this.api.call('POST', '/api/rides', rider.session.token, {
      pickupLatitude: arrival.pickup.latitude,
      pickupLongitude: arrival.pickup.longitude,
      pickupAddress: `pickup ${arrival.index}`,
      destinationLatitude: arrival.destination.latitude,
      destinationLongitude: arrival.destination.longitude,
      destinationAddress: `destination ${arrival.index}`,
    });
    record.createStatus = answer.status;
    if (answer.status !== 201) {
      record.refusal = (answer.body as { message?: string } | undefined)?.message;
      rider.busy = false;
      return;
    }
    record.rideId = answer.body.ride.id;
    rider.rideId = answer.body.ride.id;
    this.riderOfRide.set(answer.body.ride.id, rider);
    // The ride may have ended (accepted and cancelled…) before its creation was answered.
    if (this.ended.has(answer.body.ride.id)) this.freeRiderOf(answer.body.ride.id);
  }

  /** ride.updated, to a rider or a driver: a ride that has ended frees its rider and driver. */
  private rideUpdated(ride: { id: number; status: string }): void {
    if (!TERMINAL.includes(ride.status)) return;
    this.ended.add(ride.id);
    this.freeRiderOf(ride.id);
    const driver = this.drivers.find((d) => d.ride?.rideId === ride.id);
    if (driver) this.finishRide(driver);
  }

  // ── drivers ──────────────────────────────────────────────────────────────────────────────

  private listenAsDriver(driver: Driver, socket: Socket): void {
    socket.on('ride.offered', (payload: OfferPayload) => this.offered(driver, payload));
    socket.on('ride.taken', (payload: { rideId: number }) => {
      this.endOffer(driver, payload.rideId, 'taken');
    });
    socket.on('ride.updated', (ride: { id: number; status: string }) => this.rideUpdated(ride));
    socket.on('driver.status', (payload: { isOnline?: boolean }) => {
      if (payload.isOnline !== false || !this.running) return;
      this.counters.setOffline += 1;
      // The driver notices and comes back online, as a driver wanting work would.
      this.after(1000, () =>
        this.expect(200, 'PATCH', '/api/drivers/me/update-status', driver, { isOnline: true }),
      );
    });
  }

  private offered(driver: Driver, payload: OfferPayload): void {
    if (!this.running) return;
    const { ride } = payload;
    const record: OfferRecord = {
      driver: driver.index,
      rideId: ride.id,
      receivedAt: Date.now(),
      expiresAt: payload.expiresAt ? Date.parse(payload.expiresAt) : null,
      endedAt: null,
      ending: null,
    };
    this.offers.push(record);
    driver.live.set(ride.id, record);
    if (driver.state === 'toPickup' || driver.state === 'onTrip') {
      this.counters.offersWhileBusy += 1;
      return;
    }
    const listed = driver.queue.find((waiting) => waiting.record.rideId === ride.id);
    if (listed) listed.record = record;
    else driver.queue.push({ record, ...routeOf(ride) });
    if (driver.state === 'idle') this.considerNext(driver);
  }

  private endOffer(driver: Driver, rideId: number, ending: OfferRecord['ending']): void {
    const record = driver.live.get(rideId);
    if (!record) return;
    driver.live.delete(rideId);
    const now = Date.now();
    const expired = record.expiresAt !== null && record.expiresAt <= now;
    record.endedAt = expired ? record.expiresAt : now;
    record.ending = expired ? 'expired' : ending;
  }

  private isLive(record: OfferRecord): boolean {
    return record.endedAt === null && (record.expiresAt === null || Date.now() < record.expiresAt);
  }

  /** The oldest offer still live, answered after the driver's reaction time. */
  private considerNext(driver: Driver): void {
    while (driver.queue.length > 0) {
      const offer = driver.queue.shift()!;
      if (!this.isLive(offer.record)) continue;
      driver.state = 'deciding';
      const request = this.requestByPickup.get(pickupKey(offer.pickup));
      const key = request?.index ?? `ride-${offer.record.rideId}`;
      const reaction =
        this.options.reactionMs * (0.5 + unitOf(this.options.seed, 'reaction', driver.index, key));
      this.after(reaction, () => this.answer(driver, offer, key));
      return;
    }
    driver.state = 'idle';
  }

  private async answer(driver: Driver, offer: OfferedRide, key: number | string): Promise<void> {
    if (!this.isLive(offer.record)) {
      this.counters.offersGoneBeforeAnswer += 1;
      this.endOffer(driver, offer.record.rideId, 'taken');
      this.considerNext(driver);
      return;
    }
    const accepts =
      unitOf(this.options.seed, 'accept', driver.index, key) < this.options.acceptProbability;
    if (accepts) await this.accept(driver, offer);
    else await this.decline(driver, offer);
  }

  private async decline(driver: Driver, offer: OfferedRide): Promise<void> {
    const { rideId } = offer.record;
    this.endOffer(driver, rideId, 'decline');
    this.counters.declinesSent += 1;
    this.considerNext(driver);
    const answer = await this.api.call(
      'POST',
      `/api/rides/${rideId}/decline`,
      driver.session.token,
    );
    const answers = this.counters.declineAnswers;
    answers[answer.status] = (answers[answer.status] ?? 0) + 1;
  }

  private async accept(driver: Driver, offer: OfferedRide): Promise<void> {
    const { rideId } = offer.record;
    this.endOffer(driver, rideId, 'accept');
    this.counters.acceptsSent += 1;
    this.stopLeg(driver);
    const from = driver.position;
    driver.state = 'toPickup';
    const answer = await this.api.call('POST', `/api/rides/${rideId}/accept`, driver.session.token);
    if (answer.status !== 200) {
      if (answer.status === 409) this.counters.acceptsRefused += 1;
      driver.state = 'idle';
      this.considerNext(driver);
      if (driver.state === 'idle' || driver.state === 'deciding') this.cruise(driver);
      return;
    }
    const now = Date.now();
    this.counters.acceptsWon += 1;
    this.accepts.push({
      rideId,
      driver: driver.index,
      at: now,
      pickupKm: distanceKm(from, offer.pickup),
    });
    // The phone shows one ride at a time: whatever else was waiting is let go.
    driver.queue = [];
    driver.ride = { rideId, since: now };
    if (this.ended.has(rideId)) {
      this.finishRide(driver);
      return;
    }
    this.driveTo(driver, offer.pickup, () => this.pickUp(driver, rideId, offer.destination));
  }

  private async pickUp(driver: Driver, rideId: number, destination: LatLng): Promise<void> {
    const token = driver.session.token;
    for (const step of ['arriving', 'start']) {
      const answer = await this.api.call('POST', `/api/rides/${rideId}/${step}`, token);
      if (driver.ride?.rideId !== rideId) return;
      if (answer.status !== 200) {
        this.finishRide(driver);
        return;
      }
    }
    driver.state = 'onTrip';
    this.driveTo(driver, destination, () => this.dropOff(driver, rideId));
  }

  private async dropOff(driver: Driver, rideId: number): Promise<void> {
    await this.api.call('POST', `/api/rides/${rideId}/complete`, driver.session.token);
    this.ended.add(rideId);
    this.freeRiderOf(rideId);
    if (driver.ride?.rideId === rideId) this.finishRide(driver);
  }

  /**
   * The rider of a ride that has ended may ask again, unless they already have: the end of one ride
   * is heard twice (the rider's ride.updated and the driver's answer to complete), and a rider freed
   * by the first may have requested the next ride before the second arrives.
   */
  private freeRiderOf(rideId: number): void {
    const rider = this.riderOfRide.get(rideId);
    if (!rider || rider.rideId !== rideId) return;
    rider.busy = false;
    rider.rideId = undefined;
  }

  /** The ride is over for this driver (completed, cancelled, or lost): back to cruising. */
  private finishRide(driver: Driver): void {
    if (!driver.ride) return;
    this.busy.push({ driver: driver.index, from: driver.ride.since, to: Date.now() });
    driver.ride = null;
    this.stopLeg(driver);
    driver.state = 'idle';
    if (!this.running) return;
    this.track(async () => {
      await this.reportLocation(driver);
      await this.lookAtOpenRides(driver);
    });
    this.cruise(driver);
  }

  /**
   * Back from a trip, the app shows the rides open to the driver (GET /api/rides/open): in
   * broadcast mode the rides requested while they drove, which no event will offer them again;
   * in ranked mode the offers they hold, already known from ride.offered.
   */
  private async lookAtOpenRides(driver: Driver): Promise<void> {
    const answer = await this.api.call('GET', '/api/rides/open', driver.session.token);
    if (answer.status !== 200 || !Array.isArray(answer.body) || !this.running) return;
    const now = Date.now();
    for (const ride of answer.body as OpenRide[]) {
      if (driver.live.has(ride.id)) continue;
      const record: OfferRecord = {
        driver: driver.index,
        rideId: ride.id,
        receivedAt: now,
        expiresAt: ride.offerExpiresAt ? Date.parse(ride.offerExpiresAt) : null,
        endedAt: null,
        ending: null,
      };
      // Held like an offer (ride.taken ends it), not counted as one: the API did not send it.
      driver.live.set(ride.id, record);
      driver.queue.push({ record, ...routeOf(ride) });
      this.counters.openListed += 1;
    }
    if (driver.state === 'idle') this.considerNext(driver);
  }

  private positionOf(driver: Driver, now = Date.now()): LatLng {
    const { leg } = driver;
    if (!leg) return driver.position;
    if (leg.km === 0) return leg.to;
    return along(leg.from, leg.to, ((now - leg.startedAt) * this.kmPerMs) / leg.km);
  }

  private stopLeg(driver: Driver): void {
    if (!driver.leg) return;
    driver.position = this.positionOf(driver);
    if (driver.leg.timer) {
      clearTimeout(driver.leg.timer);
      this.timers.delete(driver.leg.timer);
    }
    driver.leg = null;
  }

  private driveTo(driver: Driver, to: LatLng, then: () => void | Promise<void>): void {
    this.stopLeg(driver);
    const from = driver.position;
    const km = distanceKm(from, to);
    const timer = this.after(km / this.kmPerMs, () => {
      driver.position = to;
      driver.leg = null;
      return then();
    });
    driver.leg = { from, to, startedAt: Date.now(), km, timer };
  }

  /** An idle driver drives to a random nearby point, then to another, until given a ride. */
  private cruise(driver: Driver): void {
    if (driver.state !== 'idle' && driver.state !== 'deciding') return;
    const target = pointNear(
      driver.position,
      driver.random.between(...CRUISE_KM),
      this.options.area,
      driver.random,
    );
    this.driveTo(driver, target, () => this.cruise(driver));
  }

  private async reportLocation(driver: Driver): Promise<void> {
    const answer = await this.api.call(
      'PUT',
      '/api/drivers/me/location',
      driver.session.token,
      this.positionOf(driver),
    );
    this.counters.locationReports += 1;
    if (answer.status !== 200) this.counters.locationRefusals += 1;
  }

  private async reportLocationEvery(driver: Driver): Promise<void> {
    this.after(this.options.locationSeconds * 1000, () => this.reportLocationEvery(driver));
    await this.reportLocation(driver);
  }
}

/** A ride as offered (ride.offered) or listed (GET /api/rides/open), by the fields used here. */
interface OpenRide {
  id: number;
  pickupLatitude: number;
  pickupLongitude: number;
  destinationLatitude: number;
  destinationLongitude: number;
  /** Ranked mode's GET /api/rides/open. */
  offerExpiresAt?: string | null;
}

interface OfferPayload {
  ride: OpenRide;
  expiresAt?: string | null;
}

const routeOf = (ride: OpenRide) => ({
  pickup: { latitude: ride.pickupLatitude, longitude: ride.pickupLongitude },
  destination: { latitude: ride.destinationLatitude, longitude: ride.destinationLongitude },
});

export function simulate(options: SimulationOptions): Promise<Trace> {
  return new City(options).run();
}
