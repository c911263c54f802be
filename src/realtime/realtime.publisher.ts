import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Namespace } from 'socket.io';
import type { RealtimeConfig } from '../config/configuration';

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
 *
 * Without Redis every client is connected here, so an event for users none of whom is connected
 * is dropped before Socket.IO encodes it (it encodes first, then looks for sockets); with Redis
 * each event is published, as another instance may hold the sockets.
 */
@Injectable()
export class RealtimePublisher {
  private readonly logger = new Logger(RealtimePublisher.name);
  private readonly everyClientHere: boolean;
  private namespace?: Namespace;

  constructor(config: ConfigService) {
    this.everyClientHere = !config.getOrThrow<RealtimeConfig>('realtime').redisUrl;
  }

  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  toUser(userId: number, event: RealtimeEventName, payload: unknown): void {
    this.toUsers([userId], event, payload);
  }

  toUsers(userIds: number[], event: RealtimeEventName, payload: unknown): void {
    if (!this.namespace || userIds.length === 0) return;
    let rooms = userIds.map(userRoom);
    if (this.everyClientHere) {
      const connected = this.namespace.adapter.rooms;
      rooms = rooms.filter((room) => connected.has(room));
      if (rooms.length === 0) return;
    }
    try {
      this.namespace.to(rooms).emit(event, payload);
    } catch (error) {
      this.logger.warn(`${event} not sent: ${(error as Error).message}`);
    }
  }
}
