import type { RideStatus } from './ride-request.model';

/** Everything that can happen to a ride. */
export type RideAction =
  'accept' | 'arriving' | 'start' | 'complete' | 'cancel' | 'release' | 'expire';

/**
 * Who acts, relative to the ride: its rider, a driver (any eligible driver for `accept`, the
 * ride's own driver otherwise), an admin, or the service itself.
 */
export type RideActor = 'rider' | 'driver' | 'admin' | 'system';

export interface Transition {
  from: readonly RideStatus[];
  to: RideStatus;
  actors: readonly RideActor[];
  /** The step's timestamp column, set to now(). */
  stamp: 'acceptedAt' | 'arrivingAt' | 'startedAt' | 'completedAt' | 'cancelledAt' | 'releasedAt';
  /** How the action reads in an error message: "cannot be <verb>". */
  verb: string;
}

/**
 * The ride state machine: the one place that says which action moves a ride from which states to
 * which, and which kind of account may take it (the ride store adds who, relative to the ride: its
 * rider, its driver, or any eligible driver for `accept`). Any other (state, action, actor) is
 * refused.
 */
export const TRANSITIONS: Readonly<Record<RideAction, Transition>> = {
  accept: {
    from: ['REQUESTED'],
    to: 'ACCEPTED',
    actors: ['driver'],
    stamp: 'acceptedAt',
    verb: 'accepted',
  },
  arriving: {
    from: ['ACCEPTED'],
    to: 'ARRIVING',
    actors: ['driver'],
    stamp: 'arrivingAt',
    verb: 'marked arriving',
  },
  start: {
    from: ['ARRIVING'],
    to: 'IN_PROGRESS',
    actors: ['driver'],
    stamp: 'startedAt',
    verb: 'started',
  },
  complete: {
    from: ['IN_PROGRESS'],
    to: 'COMPLETED',
    actors: ['driver'],
    stamp: 'completedAt',
    verb: 'completed',
  },
  cancel: {
    from: ['REQUESTED', 'ACCEPTED', 'ARRIVING'],
    to: 'CANCELLED',
    actors: ['rider', 'admin'],
    stamp: 'cancelledAt',
    verb: 'cancelled',
  },
  release: {
    from: ['ACCEPTED', 'ARRIVING'],
    to: 'REQUESTED',
    actors: ['driver'],
    stamp: 'releasedAt',
    verb: 'released',
  },
  expire: {
    from: ['REQUESTED'],
    to: 'CANCELLED',
    actors: ['system'],
    stamp: 'cancelledAt',
    verb: 'expired',
  },
};

/** "Ride 7 is COMPLETED; only a REQUESTED, ACCEPTED or ARRIVING ride can be cancelled". */
export function refusalMessage(rideId: number, action: RideAction, status: RideStatus): string {
  const { from, verb } = TRANSITIONS[action];
  const states =
    from.length === 1 ? from[0] : `${from.slice(0, -1).join(', ')} or ${from[from.length - 1]}`;
  return `Ride ${rideId} is ${status}; only a ${states} ride can be ${verb}`;
}
