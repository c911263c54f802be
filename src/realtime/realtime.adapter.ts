import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Server, ServerOptions } from 'socket.io';

/**
 * Socket.IO on the API's own HTTP server. With a Redis URL, rooms span every API instance: an event
 * emitted by one process reaches sockets connected to any other.
 */
export class RealtimeAdapter extends IoAdapter {
  private readonly logger = new Logger('Realtime');
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
    if (this.options.redisUrl) {
      const publisher = new Redis(this.options.redisUrl);
      const subscriber = publisher.duplicate();
      for (const client of [publisher, subscriber]) {
        client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
      }
      this.redisClients.push(publisher, subscriber);
      io.adapter(createAdapter(publisher, subscriber));
    }
    this.io = io;
    return io;
  }

  /**
   * Closes every socket, not the HTTP server (which `io.close()` would): that is Fastify's to
   * close, once in-flight requests are answered.
   */
  override async dispose(): Promise<void> {
    this.io?.engine.close();
    await Promise.all(this.redisClients.map((client) => client.quit().catch(() => undefined)));
  }
}
