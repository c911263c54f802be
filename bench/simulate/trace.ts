import type { Area, LatLng } from './geo';

/** What a simulation is asked to do, and what it saw happen: the input of the report. */

export interface SimulationOptions {
  /** The API's base URL, e.g. http://127.0.0.1:8080. */
  apiUrl: string;
  drivers: number;
  /** Rider accounts; each has at most one active ride, so a request waits for a free one. */
  riders: number;
  /** Mean ride requests per second (Poisson arrivals). */
  rate: number;
  /** How long requests arrive for, in seconds of wall time. */
  seconds: number;
  maxRequests: number;
  seed: number;
  /** Chance that a driver accepts an offer (else declines it). */
  acceptProbability: number;
  /** Mean time a driver takes to answer an offer; each answer takes 0.5–1.5 times this. */
  reactionMs: number;
  speedKmh: number;
  /** Simulated seconds of driving per wall second (offers, timeouts and reactions stay real). */
  timeScale: number;
  /** How often each driver reports its position, in wall seconds. */
  locationSeconds: number;
  /** After the last request, how long rides may still finish before the simulator ends them. */
  drainSeconds: number;
  area: Area;
  /** Accounts registered at once during set-up. */
  setupConcurrency: number;
  /** A progress bar on stderr. */
  progress: boolean;
}

export interface RequestRecord {
  index: number;
  rider: number;
  pickup: LatLng;
  destination: LatLng;
  /** Epoch ms when POST /api/rides was sent. */
  sentAt: number;
  /** 201, or what the API answered instead. */
  createStatus: number;
  /** The API's message when it refused the request. */
  refusal?: string;
  rideId: number | null;
  /** As GET /api/rides/:id showed it after the run. */
  finalStatus: string | null;
  cancelReason: string | null;
  cancelledBy: string | null;
  /** What the simulator did to a ride still under way at the end. */
  endedBySimulator: 'cancelled' | 'completed' | null;
}

export interface AcceptRecord {
  rideId: number;
  driver: number;
  /** Epoch ms when the driver's accept was answered 200. */
  at: number;
  /** From where the driver was when accepting to the pickup, as the crow flies. */
  pickupKm: number;
}

/** One ride.offered as a driver held it: until answered, taken, expired, or the run ended. */
export interface OfferRecord {
  driver: number;
  rideId: number;
  receivedAt: number;
  /** Epoch ms from the event's expiresAt; null when the API sent none (broadcast). */
  expiresAt: number | null;
  endedAt: number | null;
  ending: 'accept' | 'decline' | 'taken' | 'expired' | 'run-ended' | null;
}

/** A stretch of time a driver spent with a ride (accept → complete or cancel). */
export interface BusyRecord {
  driver: number;
  from: number;
  to: number;
}

export interface Counters {
  acceptsSent: number;
  acceptsWon: number;
  /** Answered 409: taken by someone else, no longer offered, or no longer requested. */
  acceptsRefused: number;
  declinesSent: number;
  /** Decline answers by status: 404 = no such route (broadcast or an older API) or never offered. */
  declineAnswers: Record<string, number>;
  /** Offers that arrived while the driver was on a ride. */
  offersWhileBusy: number;
  /** Offers that were gone (taken, expired) by the time the driver answered. */
  offersGoneBeforeAnswer: number;
  /** driver.status events setting a driver offline (missed offers). */
  setOffline: number;
  /** Arrivals that found every rider account busy (raise --riders). */
  noFreeRider: number;
  /** Rides a driver back from a trip found in GET /api/rides/open that no offer had shown them. */
  openListed: number;
  locationReports: number;
  locationRefusals: number;
}

export interface Trace {
  options: Omit<SimulationOptions, 'apiUrl' | 'progress'>;
  /** Wall ms spent registering, logging in and connecting accounts. */
  setupMs: number;
  /** Epoch ms of the first arrival slot and of the end of the measurement. */
  startedAt: number;
  endedAt: number;
  requests: RequestRecord[];
  accepts: AcceptRecord[];
  offers: OfferRecord[];
  busy: BusyRecord[];
  counters: Counters;
  /** Answers the simulator did not expect (5xx, network errors), by route. */
  unexpected: Record<string, number>;
  /** Errors inside the simulator's own handlers (should be none). */
  errors: string[];
}

export const TERMINAL = ['COMPLETED', 'CANCELLED'];
