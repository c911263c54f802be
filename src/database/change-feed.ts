import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Client } from 'pg';
import type { DatabaseConfig } from '../config/configuration';

/** A row change the database announced, or `reset`: anything may have changed unseen. */
export type Change = { table: string; id?: number } | 'reset';

const CHANNEL = 'swiftride_changes';
const RETRY_MS = [250, 500, 1_000, 2_000, 5_000];

/**
 * The database's `NOTIFY swiftride_changes` (see the migration notify-cached-data-changes), heard
 * on a connection of its own, so that every API process can keep data in memory and drop it the
 * moment another process (or anyone) changes it. While the connection is down nothing can be
 * trusted to be fresh: `live` is false and caches must read through to the database.
 */
@Injectable()
export class ChangeFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeFeed.name);
  private readonly config: DatabaseConfig;
  private readonly listeners = new Set<(change: Change) => void>();
  private client?: Client;
  private retries = 0;
  private retryTimer?: NodeJS.Timeout;
  private closing = false;
  private connected = false;

  constructor(config: ConfigService) {
    this.config = config.getOrThrow<DatabaseConfig>('database');
  }

  /** Whether changes are being heard now. */
  get live(): boolean {
    return this.connected;
  }

  /** Returns the way to stop listening. */
  subscribe(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A change this process has just committed, heard by its own listeners at once; the database
   * announces it to every process (this one too) a moment later.
   */
  announce(change: Change): void {
    this.emit(change);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.retryTimer);
    this.setConnected(false);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.config.url,
      connectionTimeoutMillis: this.config.connectTimeoutMs,
      application_name: 'swiftride-change-feed',
    });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === CHANNEL) this.emit(parse(message.payload ?? ''));
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      this.retries = 0;
      this.setConnected(true);
    } catch (error) {
      this.logger.warn(`Not hearing data changes yet: ${(error as Error).message}`);
      this.lost(client);
    }
  }

  private lost(client: Client): void {
    if (client !== this.client || this.closing) return;
    this.client = undefined;
    this.setConnected(false);
    void client.end().catch(() => undefined);
    const delay = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
    this.retries += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay);
    this.retryTimer.unref();
  }

  /** Either way the caches start over: changes may have been missed while not listening. */
  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.emit('reset');
  }

  private emit(change: Change): void {
    for (const listener of this.listeners) listener(change);
  }
}

function parse(payload: string): Change {
  const [table, id] = payload.split(':');
  return id === undefined ? { table } : { table, id: Number(id) };
}
