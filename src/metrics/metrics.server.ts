import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { MetricsConfig } from '../config/configuration';
import { Metrics } from './metrics';

/**
 * `GET /metrics` on METRICS_HOST:METRICS_PORT (loopback by default), apart from the API's port so
 * that nothing in front of the API (nginx, a cloud load balancer) can expose it by accident.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private readonly config: MetricsConfig;
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<MetricsConfig>('metrics');
  }

  /** Where it listens (the port chosen by the system when METRICS_PORT is 0); none when off. */
  get address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.port === undefined) return;
    const server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found\n');
        return;
      }
      this.metrics.render().then(
        (text) => response.writeHead(200, { 'Content-Type': this.metrics.contentType }).end(text),
        (error: Error) => {
          this.logger.error(`rendering metrics: ${error.message}`);
          response.writeHead(500, { 'Content-Type': 'text/plain' }).end('Metrics unavailable\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => resolve());
    });
    this.server = server;
    const { address, port } = this.address!;
    this.logger.log(`Metrics on http://${address}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // A scraper's kept-alive connection would otherwise hold the close open.
      server.closeAllConnections();
    });
  }
}
