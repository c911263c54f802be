import { Injectable, Logger } from '@nestjs/common';
import type { Namespace } from 'socket.io';

/** The events clients may receive on the `/realtime` namespace. */
export const RealtimeEvent = {
  RideUpdated: 'ride.updated',
  RideOffered: 'ride.offered',
  RideTaken: 'ride.taken',
  DriverLocation: 'driver.location',
  DriverStatus: 'driver.status',
} as const;
export type RealtimeEventName = (typeof RealtimeEvent)[keyof typeof RealtimeEvent];

export const userRoom = (userId: number) => `user:${userId}`;

/**
 * Sends events to users, wherever they are connected. Fire-and-forget: a client that is offline
 * misses the event and catches up with the REST API, so a failed emit never fails a request.
 */
@Injectable()
export class RealtimePublisher {
  private readonly logger = new Logger(RealtimePublisher.name);
  private namespace?: Namespace;

  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  toUser(userId: number, event: RealtimeEventName, payload: unknown): void {
    this.toUsers([userId], event, payload);
  }

  toUsers(userIds: number[], event: RealtimeEventName, payload: unknown): void {
    if (!this.namespace || userIds.length === 0) return;
    try {
      this.namespace.to(userIds.map(userRoom)).emit(event, payload);
    } catch (error) {
      this.logger.warn(`${event} not sent: ${(error as Error).message}`);
    }
  }
}
