import type { Response } from 'supertest';
import type { Account } from '../support/accounts';
import { createTestApp, type TestApp } from '../support/app';
import {
  createRide,
  freshArea,
  insertDriver,
  insertRider,
  type LatLng,
  rideAction,
  storedRide,
  tripFrom,
} from '../support/rides';

/**
 * The whole ride lifecycle as a table: every starting state × every action × every kind of caller,
 * each on a fresh ride brought to that state through the API.
 *
 * The expectations follow the documented rules, in this order:
 * 1. the route's role guard: accept/arriving/start/complete/release are for drivers, cancel for
 *    riders and admins, rate for riders; anyone else gets 403;
 * 2. a caller who is not the ride's rider, its driver or an admin gets 404 (accept excepted: any
 *    driver may try to take a ride);
 * 3. a state the action does not start from gives 409 naming the current state ("is COMPLETED");
 *    accepting a ride someone else holds (ACCEPTED, ARRIVING, IN_PROGRESS) is 409 "already taken",
 *    and a driver accepting the ride they already hold gets 409 too;
 * 4. otherwise: accept REQUESTED → ACCEPTED (the caller becomes its driver), arriving ACCEPTED →
 *    ARRIVING, start ARRIVING → IN_PROGRESS, complete IN_PROGRESS → COMPLETED, cancel
 *    REQUESTED/ACCEPTED/ARRIVING → CANCELLED, release ACCEPTED/ARRIVING → REQUESTED without a
 *    driver, rate a COMPLETED (unrated) ride, which stays COMPLETED.
 * Any refusal leaves the stored row exactly as it was.
 */

type Start =
  'REQUESTED' | 'RELEASED' | 'ACCEPTED' | 'ARRIVING' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED';
type Status = 'REQUESTED' | 'ACCEPTED' | 'ARRIVING' | 'IN_PROGRESS' | 'COMPLETED' | 'CANCELLED';
type Action = 'accept' | 'arriving' | 'start' | 'complete' | 'cancel' | 'release' | 'rate';
/**
 * rider: the ride's rider; driver: its driver (for a REQUESTED ride, the online driver of its type
 * who would accept it; for a released one, the driver who gave it back); otherDriver: an online,
 * free driver of the same service type; admin: the seeded admin; otherRider: a rider with no
 * relation to the ride.
 */
type Actor = 'rider' | 'driver' | 'otherDriver' | 'admin' | 'otherRider';
type DriverOf = 'driver' | 'otherDriver' | null;

/** [starting state, action, caller, HTTP status, stored status after, stored driver after, message] */
type Row = [Start, Action, Actor, number, Status, DriverOf, RegExp | null];

const TABLE: Row[] = [
  // REQUESTED: no driver yet; "driver" is the eligible online driver who would accept it
  ['REQUESTED', 'accept', 'rider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'accept', 'driver', 200, 'ACCEPTED', 'driver', null],
  ['REQUESTED', 'accept', 'otherDriver', 200, 'ACCEPTED', 'otherDriver', null],
  ['REQUESTED', 'accept', 'admin', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'accept', 'otherRider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'arriving', 'rider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'arriving', 'driver', 404, 'REQUESTED', null, null],
  ['REQUESTED', 'arriving', 'otherDriver', 404, 'REQUESTED', null, null],
  ['REQUESTED', 'arriving', 'admin', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'arriving', 'otherRider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'start', 'rider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'start', 'driver', 404, 'REQUESTED', null, null],
  ['REQUESTED', 'start', 'otherDriver', 404, 'REQUESTED', null, null],
  ['REQUESTED', 'start', 'admin', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'start', 'otherRider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'complete', 'rider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'complete', 'driver', 404, 'REQUESTED', null, null],
  ['REQUESTED', 'complete', 'otherDriver', 404, 'REQUESTED', null, null],
  ['REQUESTED', 'complete', 'admin', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'complete', 'otherRider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'cancel', 'rider', 200, 'CANCELLED', null, null],
  ['REQUESTED', 'cancel', 'driver', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'cancel', 'otherDriver', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'cancel', 'admin', 200, 'CANCELLED', null, null],
  ['REQUESTED', 'cancel', 'otherRider', 404, 'REQUESTED', null, null],
  ['REQUESTED', 'release', 'rider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'release', 'driver', 404, 'REQUESTED', null, null],
  ['REQUESTED', 'release', 'otherDriver', 404, 'REQUESTED', null, null],
  ['REQUESTED', 'release', 'admin', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'release', 'otherRider', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'rate', 'rider', 409, 'REQUESTED', null, /is REQUESTED/],
  ['REQUESTED', 'rate', 'driver', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'rate', 'otherDriver', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'rate', 'admin', 403, 'REQUESTED', null, null],
  ['REQUESTED', 'rate', 'otherRider', 404, 'REQUESTED', null, null],
  // RELEASED: REQUESTED again after its driver gave it back; "driver" is the one who released it
  ['RELEASED', 'accept', 'rider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'accept', 'driver', 200, 'ACCEPTED', 'driver', null],
  ['RELEASED', 'accept', 'otherDriver', 200, 'ACCEPTED', 'otherDriver', null],
  ['RELEASED', 'accept', 'admin', 403, 'REQUESTED', null, null],
  ['RELEASED', 'accept', 'otherRider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'arriving', 'rider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'arriving', 'driver', 404, 'REQUESTED', null, null],
  ['RELEASED', 'arriving', 'otherDriver', 404, 'REQUESTED', null, null],
  ['RELEASED', 'arriving', 'admin', 403, 'REQUESTED', null, null],
  ['RELEASED', 'arriving', 'otherRider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'start', 'rider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'start', 'driver', 404, 'REQUESTED', null, null],
  ['RELEASED', 'start', 'otherDriver', 404, 'REQUESTED', null, null],
  ['RELEASED', 'start', 'admin', 403, 'REQUESTED', null, null],
  ['RELEASED', 'start', 'otherRider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'complete', 'rider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'complete', 'driver', 404, 'REQUESTED', null, null],
  ['RELEASED', 'complete', 'otherDriver', 404, 'REQUESTED', null, null],
  ['RELEASED', 'complete', 'admin', 403, 'REQUESTED', null, null],
  ['RELEASED', 'complete', 'otherRider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'cancel', 'rider', 200, 'CANCELLED', null, null],
  ['RELEASED', 'cancel', 'driver', 403, 'REQUESTED', null, null],
  ['RELEASED', 'cancel', 'otherDriver', 403, 'REQUESTED', null, null],
  ['RELEASED', 'cancel', 'admin', 200, 'CANCELLED', null, null],
  ['RELEASED', 'cancel', 'otherRider', 404, 'REQUESTED', null, null],
  ['RELEASED', 'release', 'rider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'release', 'driver', 404, 'REQUESTED', null, null],
  ['RELEASED', 'release', 'otherDriver', 404, 'REQUESTED', null, null],
  ['RELEASED', 'release', 'admin', 403, 'REQUESTED', null, null],
  ['RELEASED', 'release', 'otherRider', 403, 'REQUESTED', null, null],
  ['RELEASED', 'rate', 'rider', 409, 'REQUESTED', null, /is REQUESTED/],
  ['RELEASED', 'rate', 'driver', 403, 'REQUESTED', null, null],
  ['RELEASED', 'rate', 'otherDriver', 403, 'REQUESTED', null, null],
  ['RELEASED', 'rate', 'admin', 403, 'REQUESTED', null, null],
  ['RELEASED', 'rate', 'otherRider', 404, 'REQUESTED', null, null],
  // ACCEPTED: "driver" is its driver
  ['ACCEPTED', 'accept', 'rider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'accept', 'driver', 409, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'accept', 'otherDriver', 409, 'ACCEPTED', 'driver', /already (been )?taken/],
  ['ACCEPTED', 'accept', 'admin', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'accept', 'otherRider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'arriving', 'rider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'arriving', 'driver', 200, 'ARRIVING', 'driver', null],
  ['ACCEPTED', 'arriving', 'otherDriver', 404, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'arriving', 'admin', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'arriving', 'otherRider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'start', 'rider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'start', 'driver', 409, 'ACCEPTED', 'driver', /is ACCEPTED/],
  ['ACCEPTED', 'start', 'otherDriver', 404, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'start', 'admin', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'start', 'otherRider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'complete', 'rider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'complete', 'driver', 409, 'ACCEPTED', 'driver', /is ACCEPTED/],
  ['ACCEPTED', 'complete', 'otherDriver', 404, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'complete', 'admin', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'complete', 'otherRider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'cancel', 'rider', 200, 'CANCELLED', 'driver', null],
  ['ACCEPTED', 'cancel', 'driver', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'cancel', 'otherDriver', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'cancel', 'admin', 200, 'CANCELLED', 'driver', null],
  ['ACCEPTED', 'cancel', 'otherRider', 404, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'release', 'rider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'release', 'driver', 200, 'REQUESTED', null, null],
  ['ACCEPTED', 'release', 'otherDriver', 404, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'release', 'admin', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'release', 'otherRider', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'rate', 'rider', 409, 'ACCEPTED', 'driver', /is ACCEPTED/],
  ['ACCEPTED', 'rate', 'driver', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'rate', 'otherDriver', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'rate', 'admin', 403, 'ACCEPTED', 'driver', null],
  ['ACCEPTED', 'rate', 'otherRider', 404, 'ACCEPTED', 'driver', null],
  // ARRIVING: "driver" is its driver
  ['ARRIVING', 'accept', 'rider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'accept', 'driver', 409, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'accept', 'otherDriver', 409, 'ARRIVING', 'driver', /already (been )?taken/],
  ['ARRIVING', 'accept', 'admin', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'accept', 'otherRider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'arriving', 'rider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'arriving', 'driver', 409, 'ARRIVING', 'driver', /is ARRIVING/],
  ['ARRIVING', 'arriving', 'otherDriver', 404, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'arriving', 'admin', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'arriving', 'otherRider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'start', 'rider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'start', 'driver', 200, 'IN_PROGRESS', 'driver', null],
  ['ARRIVING', 'start', 'otherDriver', 404, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'start', 'admin', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'start', 'otherRider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'complete', 'rider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'complete', 'driver', 409, 'ARRIVING', 'driver', /is ARRIVING/],
  ['ARRIVING', 'complete', 'otherDriver', 404, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'complete', 'admin', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'complete', 'otherRider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'cancel', 'rider', 200, 'CANCELLED', 'driver', null],
  ['ARRIVING', 'cancel', 'driver', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'cancel', 'otherDriver', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'cancel', 'admin', 200, 'CANCELLED', 'driver', null],
  ['ARRIVING', 'cancel', 'otherRider', 404, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'release', 'rider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'release', 'driver', 200, 'REQUESTED', null, null],
  ['ARRIVING', 'release', 'otherDriver', 404, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'release', 'admin', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'release', 'otherRider', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'rate', 'rider', 409, 'ARRIVING', 'driver', /is ARRIVING/],
  ['ARRIVING', 'rate', 'driver', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'rate', 'otherDriver', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'rate', 'admin', 403, 'ARRIVING', 'driver', null],
  ['ARRIVING', 'rate', 'otherRider', 404, 'ARRIVING', 'driver', null],
  // IN_PROGRESS: "driver" is its driver
  ['IN_PROGRESS', 'accept', 'rider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'accept', 'driver', 409, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'accept', 'otherDriver', 409, 'IN_PROGRESS', 'driver', /already (been )?taken/],
  ['IN_PROGRESS', 'accept', 'admin', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'accept', 'otherRider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'arriving', 'rider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'arriving', 'driver', 409, 'IN_PROGRESS', 'driver', /is IN_PROGRESS/],
  ['IN_PROGRESS', 'arriving', 'otherDriver', 404, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'arriving', 'admin', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'arriving', 'otherRider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'start', 'rider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'start', 'driver', 409, 'IN_PROGRESS', 'driver', /is IN_PROGRESS/],
  ['IN_PROGRESS', 'start', 'otherDriver', 404, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'start', 'admin', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'start', 'otherRider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'complete', 'rider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'complete', 'driver', 200, 'COMPLETED', 'driver', null],
  ['IN_PROGRESS', 'complete', 'otherDriver', 404, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'complete', 'admin', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'complete', 'otherRider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'cancel', 'rider', 409, 'IN_PROGRESS', 'driver', /is IN_PROGRESS/],
  ['IN_PROGRESS', 'cancel', 'driver', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'cancel', 'otherDriver', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'cancel', 'admin', 409, 'IN_PROGRESS', 'driver', /is IN_PROGRESS/],
  ['IN_PROGRESS', 'cancel', 'otherRider', 404, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'release', 'rider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'release', 'driver', 409, 'IN_PROGRESS', 'driver', /is IN_PROGRESS/],
  ['IN_PROGRESS', 'release', 'otherDriver', 404, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'release', 'admin', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'release', 'otherRider', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'rate', 'rider', 409, 'IN_PROGRESS', 'driver', /is IN_PROGRESS/],
  ['IN_PROGRESS', 'rate', 'driver', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'rate', 'otherDriver', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'rate', 'admin', 403, 'IN_PROGRESS', 'driver', null],
  ['IN_PROGRESS', 'rate', 'otherRider', 404, 'IN_PROGRESS', 'driver', null],
  // COMPLETED: "driver" is its driver
  ['COMPLETED', 'accept', 'rider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'accept', 'driver', 409, 'COMPLETED', 'driver', /is COMPLETED/],
  ['COMPLETED', 'accept', 'otherDriver', 409, 'COMPLETED', 'driver', /is COMPLETED/],
  ['COMPLETED', 'accept', 'admin', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'accept', 'otherRider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'arriving', 'rider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'arriving', 'driver', 409, 'COMPLETED', 'driver', /is COMPLETED/],
  ['COMPLETED', 'arriving', 'otherDriver', 404, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'arriving', 'admin', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'arriving', 'otherRider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'start', 'rider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'start', 'driver', 409, 'COMPLETED', 'driver', /is COMPLETED/],
  ['COMPLETED', 'start', 'otherDriver', 404, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'start', 'admin', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'start', 'otherRider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'complete', 'rider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'complete', 'driver', 409, 'COMPLETED', 'driver', /is COMPLETED/],
  ['COMPLETED', 'complete', 'otherDriver', 404, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'complete', 'admin', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'complete', 'otherRider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'cancel', 'rider', 409, 'COMPLETED', 'driver', /is COMPLETED/],
  ['COMPLETED', 'cancel', 'driver', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'cancel', 'otherDriver', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'cancel', 'admin', 409, 'COMPLETED', 'driver', /is COMPLETED/],
  ['COMPLETED', 'cancel', 'otherRider', 404, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'release', 'rider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'release', 'driver', 409, 'COMPLETED', 'driver', /is COMPLETED/],
  ['COMPLETED', 'release', 'otherDriver', 404, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'release', 'admin', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'release', 'otherRider', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'rate', 'rider', 200, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'rate', 'driver', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'rate', 'otherDriver', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'rate', 'admin', 403, 'COMPLETED', 'driver', null],
  ['COMPLETED', 'rate', 'otherRider', 404, 'COMPLETED', 'driver', null],
  // CANCELLED by its rider after "driver" had accepted it
  ['CANCELLED', 'accept', 'rider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'accept', 'driver', 409, 'CANCELLED', 'driver', /is CANCELLED/],
  ['CANCELLED', 'accept', 'otherDriver', 409, 'CANCELLED', 'driver', /is CANCELLED/],
  ['CANCELLED', 'accept', 'admin', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'accept', 'otherRider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'arriving', 'rider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'arriving', 'driver', 409, 'CANCELLED', 'driver', /is CANCELLED/],
  ['CANCELLED', 'arriving', 'otherDriver', 404, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'arriving', 'admin', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'arriving', 'otherRider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'start', 'rider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'start', 'driver', 409, 'CANCELLED', 'driver', /is CANCELLED/],
  ['CANCELLED', 'start', 'otherDriver', 404, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'start', 'admin', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'start', 'otherRider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'complete', 'rider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'complete', 'driver', 409, 'CANCELLED', 'driver', /is CANCELLED/],
  ['CANCELLED', 'complete', 'otherDriver', 404, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'complete', 'admin', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'complete', 'otherRider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'cancel', 'rider', 409, 'CANCELLED', 'driver', /is CANCELLED/],
  ['CANCELLED', 'cancel', 'driver', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'cancel', 'otherDriver', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'cancel', 'admin', 409, 'CANCELLED', 'driver', /is CANCELLED/],
  ['CANCELLED', 'cancel', 'otherRider', 404, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'release', 'rider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'release', 'driver', 409, 'CANCELLED', 'driver', /is CANCELLED/],
  ['CANCELLED', 'release', 'otherDriver', 404, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'release', 'admin', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'release', 'otherRider', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'rate', 'rider', 409, 'CANCELLED', 'driver', /is CANCELLED/],
  ['CANCELLED', 'rate', 'driver', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'rate', 'otherDriver', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'rate', 'admin', 403, 'CANCELLED', 'driver', null],
  ['CANCELLED', 'rate', 'otherRider', 404, 'CANCELLED', 'driver', null],
];

const REASON = 'Plans changed';
const RELEASE_SETUP_REASON = 'Flat tyre';
const BODIES: Record<Action, object> = {
  accept: {},
  arriving: {},
  start: {},
  complete: {},
  cancel: { reason: REASON },
  release: { reason: REASON },
  rate: { rating: 4 },
};
/** How far the database clock and ours may disagree, in ms. */
const CLOCK_SLACK_MS = 1000;

interface Cast {
  rider: Account;
  driver: Account;
  otherDriver: Account;
  otherRider: Account;
  /** Where the drivers are and the cast's rides start: nobody else's drivers are near. */
  area: LatLng;
}

let t: TestApp;

beforeAll(async () => {
  // The table's rules are those of broadcast dispatch (any eligible driver may accept, the
  // releaser too); ranked dispatch's refusals are in dispatch.e2e-spec.ts.
  t = await createTestApp({ DISPATCH_MODE: 'broadcast' });
});
afterAll(() => t.close());

const tokenOf = (cast: Cast, actor: Actor): string =>
  actor === 'admin' ? t.adminToken : cast[actor].accessToken;

async function newCast(): Promise<Cast> {
  const area = freshArea();
  const [rider, otherRider, driver, otherDriver] = await Promise.all([
    insertRider(t),
    insertRider(t),
    insertDriver(t, { at: area }),
    insertDriver(t, { at: area }),
  ]);
  return { rider, otherRider, driver, otherDriver, area };
}

async function step(token: string, rideId: number, action: Action, body: object = {}) {
  const response = await rideAction(t, token, rideId, action, body);
  if (response.status !== 200) {
    throw new Error(`setup ${action}: ${response.status} ${JSON.stringify(response.body)}`);
  }
}

/** The API calls that bring a new ride to `start`. */
const SETUP: Record<Start, [Actor, Action, object?][]> = {
  REQUESTED: [],
  RELEASED: [
    ['driver', 'accept'],
    ['driver', 'release', { reason: RELEASE_SETUP_REASON }],
  ],
  ACCEPTED: [['driver', 'accept']],
  ARRIVING: [
    ['driver', 'accept'],
    ['driver', 'arriving'],
  ],
  IN_PROGRESS: [
    ['driver', 'accept'],
    ['driver', 'arriving'],
    ['driver', 'start'],
  ],
  COMPLETED: [
    ['driver', 'accept'],
    ['driver', 'arriving'],
    ['driver', 'start'],
    ['driver', 'complete'],
  ],
  CANCELLED: [
    ['driver', 'accept'],
    ['rider', 'cancel'],
  ],
};

const STATUS_OF: Record<Start, Status> = {
  REQUESTED: 'REQUESTED',
  RELEASED: 'REQUESTED',
  ACCEPTED: 'ACCEPTED',
  ARRIVING: 'ARRIVING',
  IN_PROGRESS: 'IN_PROGRESS',
  COMPLETED: 'COMPLETED',
  CANCELLED: 'CANCELLED',
};
const HAS_DRIVER: Record<Start, boolean> = {
  REQUESTED: false,
  RELEASED: false,
  ACCEPTED: true,
  ARRIVING: true,
  IN_PROGRESS: true,
  COMPLETED: true,
  CANCELLED: true,
};

/** A fresh cast and a ride of theirs in state `start`, checked as stored. */
async function rideIn(start: Start): Promise<{ cast: Cast; rideId: number }> {
  const cast = await newCast();
  const rideId = await createRide(t, cast.rider, tripFrom(cast.area));
  for (const [actor, action, body] of SETUP[start]) {
    await step(tokenOf(cast, actor), rideId, action, body);
  }
  const row = await storedRide(t, rideId);
  expect({ status: row.status, driverId: row.driverId }).toEqual({
    status: STATUS_OF[start],
    driverId: HAS_DRIVER[start] ? cast.driver.id : null,
  });
  if (start === 'RELEASED') expect(row.releaseReason).toBe(RELEASE_SETUP_REASON);
  return { cast, rideId };
}

/** What a successful action writes besides status and the stamps (compared exactly). */
function writtenBy(
  action: Action,
  actor: Actor,
  cast: Cast,
  before: Record<string, unknown>,
): { fields: Record<string, unknown>; stamps: string[] } {
  switch (action) {
    case 'accept':
      return { fields: { driverId: cast[actor as 'driver'].id }, stamps: ['acceptedAt'] };
    case 'arriving':
      return { fields: {}, stamps: ['arrivingAt'] };
    case 'start':
      return { fields: {}, stamps: ['startedAt'] };
    case 'complete':
      return { fields: { finalFare: before.estimatedFare }, stamps: ['completedAt'] };
    case 'cancel':
      return {
        fields: { cancelledBy: actor === 'admin' ? 'admin' : 'rider', cancelReason: REASON },
        stamps: ['cancelledAt'],
      };
    case 'release':
      return {
        fields: { driverId: null, acceptedAt: null, arrivingAt: null, releaseReason: REASON },
        stamps: ['releasedAt', 'requestedAt'],
      };
    case 'rate':
      return { fields: { rating: 4, ratingComment: null }, stamps: ['ratedAt'] };
  }
}

function expectStampedBetween(value: unknown, from: Date, to: Date) {
  expect(value).toBeInstanceOf(Date);
  const ms = (value as Date).getTime();
  expect(ms).toBeGreaterThanOrEqual(from.getTime() - CLOCK_SLACK_MS);
  expect(ms).toBeLessThanOrEqual(to.getTime() + CLOCK_SLACK_MS);
}

const CODE_OF_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  // A transition refused in the ride's state, including a driver accepting their own ride again.
  409: 'RIDE_STATE_CONFLICT',
};

function expectRefusal(
  response: Response,
  status: number,
  message: RegExp | null,
  code = message?.source.includes('taken') ? 'RIDE_ALREADY_TAKEN' : CODE_OF_STATUS[status],
) {
  expect({ status: response.status, body: response.body }).toMatchObject({
    status,
    body: { success: false, statusCode: status, code, message: expect.any(String) },
  });
  if (message) expect(response.body.message).toMatch(message);
}

describe('the ride lifecycle table', () => {
  it('covers every starting state × action × caller exactly once', () => {
    const keys = TABLE.map(([start, action, actor]) => `${start} ${action} ${actor}`);
    expect(new Set(keys).size).toBe(7 * 7 * 5);
    expect(keys).toHaveLength(7 * 7 * 5);
  });

  it.each(TABLE)(
    '%s ride, %s by %s → %i, then %s (driver: %s)',
    async (start, action, actor, status, resultStatus, resultDriver, message) => {
      const { cast, rideId } = await rideIn(start);
      const before = await storedRide(t, rideId);

      const sentAt = new Date();
      const response = await rideAction(t, tokenOf(cast, actor), rideId, action, BODIES[action]);
      const answeredAt = new Date();
      const after = await storedRide(t, rideId);

      const driverId = resultDriver === null ? null : cast[resultDriver].id;
      expect({ status: after.status, driverId: after.driverId }).toEqual({
        status: resultStatus,
        driverId,
      });

      if (status !== 200) {
        expectRefusal(response, status, message);
        expect(after).toEqual(before);
        return;
      }

      expect({ status: response.status, body: response.body }).toMatchObject({
        status: 200,
        body: { success: true, ride: { id: rideId, status: resultStatus, driverId } },
      });
      const { fields, stamps } = writtenBy(action, actor, cast, before);
      const stamped = Object.fromEntries(
        [...stamps, 'updatedAt'].map((column) => [column, after[column]]),
      );
      expect(after).toEqual({ ...before, status: resultStatus, ...fields, ...stamped });
      for (const column of [...stamps, 'updatedAt']) {
        expectStampedBetween(after[column], sentAt, answeredAt);
      }
      if (action === 'release') {
        expect((after.requestedAt as Date).getTime()).toBeGreaterThan(
          (before.requestedAt as Date).getTime(),
        );
      }
    },
  );
});

/** A caller allowed on each route, so that only the id or the body can be at fault. */
const ALLOWED: Record<Action, Exclude<Actor, 'otherDriver' | 'otherRider'>[]> = {
  accept: ['driver'],
  arriving: ['driver'],
  start: ['driver'],
  complete: ['driver'],
  cancel: ['rider', 'admin'],
  release: ['driver'],
  rate: ['rider'],
};
const ALLOWED_ROWS = Object.entries(ALLOWED).flatMap(([action, actors]) =>
  actors.map((actor) => [action as Action, actor] as const),
);

describe('ride ids in the path', () => {
  let cast: Cast;
  beforeAll(async () => {
    cast = await newCast();
  });

  it.each(ALLOWED_ROWS.flatMap(([action, actor]) => ['abc', '0'].map((id) => [id, action, actor])))(
    'refuses /api/rides/%s/%s (as %s) with 400',
    async (id, action, actor) => {
      const response = await t.http
        .post(`/api/rides/${id}/${action}`)
        .set('Authorization', `Bearer ${tokenOf(cast, actor as Actor)}`)
        .send(BODIES[action as Action]);
      expectRefusal(response, 400, null);
    },
  );

  it.each(ALLOWED_ROWS)(
    'answers %s of a ride that does not exist (as %s) with 404',
    async (action, actor) => {
      const response = await rideAction(
        t,
        tokenOf(cast, actor),
        2_147_483_647,
        action,
        BODIES[action],
      );
      expectRefusal(response, 404, null);
    },
  );
});

describe('reasons for cancelling and releasing', () => {
  const BAD_REASONS: [string, unknown][] = [
    ['a number', 42],
    ['256 characters', 'x'.repeat(256)],
  ];
  const ROUTES: [Action, Actor, Start][] = [
    ['cancel', 'rider', 'REQUESTED'],
    ['cancel', 'admin', 'ACCEPTED'],
    ['release', 'driver', 'ARRIVING'],
  ];

  it.each(
    ROUTES.flatMap(([action, actor, start]) =>
      BAD_REASONS.map(([what, reason]) => [action, actor, start, what, reason]),
    ),
  )(
    'refuses %s by %s of a %s ride with 400 when the reason is %s, and changes nothing',
    async (action, actor, start, _what, reason) => {
      const { cast, rideId } = await rideIn(start as Start);
      const before = await storedRide(t, rideId);
      const response = await rideAction(
        t,
        tokenOf(cast, actor as Actor),
        rideId,
        action as Action,
        {
          reason,
        },
      );
      expectRefusal(response, 400, /reason/);
      expect(await storedRide(t, rideId)).toEqual(before);
    },
  );

  it.each(ROUTES)(
    '%s by %s of a %s ride keeps a reason of 255 characters',
    async (action, actor, start) => {
      const { cast, rideId } = await rideIn(start);
      const reason = 'r'.repeat(255);
      const response = await rideAction(t, tokenOf(cast, actor), rideId, action, { reason });
      expect(response.status).toBe(200);
      const row = await storedRide(t, rideId);
      expect(row[action === 'cancel' ? 'cancelReason' : 'releaseReason']).toBe(reason);
    },
  );

  it('stores no reason when a rider cancels without one', async () => {
    const { cast, rideId } = await rideIn('ACCEPTED');
    expect((await rideAction(t, cast.rider, rideId, 'cancel')).status).toBe(200);
    expect(await storedRide(t, rideId)).toMatchObject({
      status: 'CANCELLED',
      cancelledBy: 'rider',
      cancelReason: null,
      driverId: cast.driver.id,
    });
  });
});

describe('ratings', () => {
  it.each([
    ['0', 0],
    ['6', 6],
    ['4.5', 4.5],
    ['the string "5"', '5'],
  ])('refuses a rating of %s with 400 and stores nothing', async (_what, rating) => {
    const { cast, rideId } = await rideIn('COMPLETED');
    const before = await storedRide(t, rideId);
    const response = await rideAction(t, cast.rider, rideId, 'rate', { rating });
    expectRefusal(response, 400, /rating/);
    expect(await storedRide(t, rideId)).toEqual(before);
  });

  it('refuses a second rating of the same ride with 409 and keeps the first', async () => {
    const { cast, rideId } = await rideIn('COMPLETED');
    expect((await rideAction(t, cast.rider, rideId, 'rate', { rating: 2 })).status).toBe(200);
    const rated = await storedRide(t, rideId);
    expect(rated.rating).toBe(2);
    const again = await rideAction(t, cast.rider, rideId, 'rate', { rating: 5 });
    expectRefusal(again, 409, /already/, 'CONFLICT');
    expect(await storedRide(t, rideId)).toEqual(rated);
  });
});
