import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectConnection } from '@nestjs/sequelize';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Sequelize } from 'sequelize-typescript';
import type { MetricsConfig } from '../config/configuration';
import { processMetrics } from './process-metrics';

/** The counts sequelize-pool keeps (not in Sequelize's typings). */
interface PoolCounts {
  readonly size: number;
  readonly available: number;
  readonly using: number;
  readonly waiting: number;
  readonly maxSize: number;
}

type Count = () => number;

/** What the password hashing gate reports at scrape time. */
export interface HashingLoad {
  readonly inFlight: number;
  readonly queued: number;
}

/**
 * Every metric the API exposes, in a registry of this app's own (several apps may share one
 * process, e.g. in tests). Features report through the methods below; gauges are read when
 * scraped, so an idle API does no work for them.
 */
@Injectable()
export class Metrics {
  /** Whether anything scrapes this app; when not, the HTTP timing hook is not installed. */
  readonly exposed: boolean;
  private readonly registry = new Registry();
  private readonly scraped: Registry;
  private realtimeConnections: Count = () => 0;
  private passwordHashing: HashingLoad = { inFlight: 0, queued: 0 };

  private readonly httpDuration = new Histogram({
    name: 'swiftride_http_request_duration_seconds',
    help: 'Time from request received to response sent, by route pattern (`unmatched` for none), method and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly rideTransitions = new Counter({
    name: 'swiftride_ride_transitions_total',
    help: 'Ride state changes applied, by action (request, accept, arriving, start, complete, cancel, release, expire)',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });

  private readonly passwordHashesRefused = new Counter({
    name: 'swiftride_password_hashes_refused_total',
    help: 'Sign-ins, sign-ups and password changes answered 503 because the hashing queue was full',
    registers: [this.registry],
  });

  private readonly offers = new Counter({
    name: 'swiftride_ride_offers_total',
    help: 'Ranked-dispatch offers, by outcome (offered, accepted, declined, expired, withdrawn)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(config: ConfigService, @InjectConnection() sequelize: Sequelize) {
    const { port, token } = config.getOrThrow<MetricsConfig>('metrics');
    this.exposed = port !== undefined || token !== undefined;

    const pool = () => (sequelize.connectionManager as unknown as { pool: PoolCounts }).pool;
    this.gauge(
      'swiftride_db_pool_in_use',
      'Database connections lent to a query or transaction',
      () => pool().using,
    );
    this.gauge(
      'swiftride_db_pool_idle',
      'Open database connections waiting in the pool',
      () => pool().available,
    );
    this.gauge(
      'swiftride_db_pool_waiting',
      'Queries and transactions waiting for a database connection',
      () => pool().waiting,
    );
    this.gauge(
      'swiftride_db_pool_max',
      'Most database connections the pool will open (DB_POOL_MAX)',
      () => pool().maxSize,
    );
    this.gauge(
      'swiftride_realtime_connections',
      'Sockets connected to /realtime on this process',
      () => this.realtimeConnections(),
    );
    this.gauge(
      'swiftride_password_hashes_in_flight',
      'Password hashes and verifications running in this process (at most HASH_CONCURRENCY)',
      () => this.passwordHashing.inFlight,
    );
    this.gauge(
      'swiftride_password_hashes_queued',
      'Password hashes and verifications waiting for a slot (at most HASH_QUEUE_MAX)',
      () => this.passwordHashing.queued,
    );
    // After every metric is registered: merging copies the registry's list as it stands.
    this.scraped = this.exposed ? Registry.merge([processMetrics(), this.registry]) : this.registry;
  }

  get contentType(): string {
    return this.scraped.contentType;
  }

  /** The Prometheus text exposition of this app and its process. */
  render(): Promise<string> {
    return this.scraped.metrics();
  }

  /** On the hot path: one histogram observation, no allocation beyond the label object. */
  requestServed(method: string, route: string, statusCode: number, milliseconds: number): void {
    this.httpDuration.observe({ method, route, status_code: statusCode }, milliseconds / 1000);
  }

  rideTransitioned(action: string, rides = 1): void {
    this.rideTransitions.inc({ action }, rides);
  }

  rideOffers(outcome: string, offers = 1): void {
    if (offers > 0) this.offers.inc({ outcome }, offers);
  }

  countRealtimeConnectionsWith(count: Count): void {
    this.realtimeConnections = count;
  }

  watchPasswordHashing(load: HashingLoad): void {
    this.passwordHashing = load;
  }

  passwordHashRefused(): void {
    this.passwordHashesRefused.inc();
  }

  private gauge(name: string, help: string, read: Count): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }
}
