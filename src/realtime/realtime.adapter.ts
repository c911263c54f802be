import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';
import { watchRedis } from '../common/redis/redis-outages';

/**
 * Socket.IO on the API's own HTTP server. With a Redis URL, rooms span every API instance: an event
 * emitted by one process reaches sockets connected to any other.
 */
export class RealtimeAdapter extends IoAdapter {
  private io?: Server;
  private readonly redisClients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly options: { corsOrigins: string[]; redisUrl?: string },
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const io = super.createIOServer(port, {
      ...options,
      cors: { origin: this.options.corsOrigins.length > 0 ? this.options.corsOrigins : false },
    } as ServerOptions) as Server;
    if (this.options.redisUrl) io.adapter(this.redisAdapter(this.options.redisUrl));
    this.io = io;
    return io;
  }

  /**
   * Redis being away must not take the API down: the adapter leaves its publish and subscribe
   * promises unhandled, so the subscriber waits for Redis however long it takes (it re-subscribes
   * on reconnect), and the publisher drops events while Redis is away instead of queueing them.
   */
  private redisAdapter(url: string) {
    const publisher = new Redis(url, { enableOfflineQueue: false });
    const subscriber = new Redis(url, { maxRetriesPerRequest: null });
    const publish = publisher.publish.bind(publisher);
    publisher.publish = ((...args: Parameters<typeof publish>) =>
      publish(...args).catch(() => 0)) as typeof publisher.publish;
    for (const client of [publisher, subscriber]) watchRedis(client);
    this.redisClients.push(publisher, subscriber);
    return createAdapter(publisher, subscriber);
  }

  /** Closes every client's transport: they see "transport close" and reconnect by themselves. */
  disconnectClients(): void {
    this.io?.engine.close();
  }

  /**
   * Closes every socket, not the HTTP server (which `io.close()` would): that is Fastify's to
   * close, once in-flight requests are answered.
   */
  override dispose(): Promise<void> {
    this.disconnectClients();
    // quit() would wait for a Redis that may never come back; nothing is left to send anyway.
    for (const client of this.redisClients) client.disconnect();
    return Promise.resolve();
  }
}
