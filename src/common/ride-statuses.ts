/**
 * A ride's states, stated once for every feature that must tell them apart: rides, which moves
 * rides through them, and drivers, which may not take a driver off duty while a ride is under way.
 */

export const RIDE_STATUSES = [
  'REQUESTED',
  'ACCEPTED',
  'ARRIVING',
  'IN_PROGRESS',
  'COMPLETED',
  'CANCELLED',
] as const;
export type RideStatus = (typeof RIDE_STATUSES)[number];

/** A rider has at most one ride in these states (a partial unique index says so too). */
export const ACTIVE_STATUSES: readonly RideStatus[] = [
  'REQUESTED',
  'ACCEPTED',
  'ARRIVING',
  'IN_PROGRESS',
];
/** Under way: a driver has at most one ride in these states, and is held to it. */
export const ASSIGNED_STATUSES: readonly RideStatus[] = ['ACCEPTED', 'ARRIVING', 'IN_PROGRESS'];

/** Statuses as an SQL list, written into a statement's text (constants of the state machine). */
export function statusListSql(statuses: readonly RideStatus[]): string {
  return statuses.map((status) => `'${status}'`).join(', ');
}
