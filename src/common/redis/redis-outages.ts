import { Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';

/**
 * One warning when Redis goes away and one line when it is back, for the whole process: the rate
 * limiter and realtime each hold their own connections, which all fail and recover together, and
 * every reconnect attempt of each would otherwise add a line.
 */
const logger = new Logger('Redis');
const unreachable = new Set<Redis>();

function markDown(client: Redis, error: Error): void {
  if (unreachable.has(client)) return;
  unreachable.add(client);
  if (unreachable.size === 1) {
    logger.warn(
      `Redis unreachable (${error.message}); rate limits and realtime events stay on this ` +
        'instance until it is back',
    );
  }
}

/** Follows `client`'s connection for the process-wide outage log; returns how to report a failure. */
export function watchRedis(client: Redis): (error: Error) => void {
  client.on('error', (error: Error) => markDown(client, error));
  client.on('ready', () => {
    if (!unreachable.delete(client) || unreachable.size > 0) return;
    logger.log('Redis reachable again; rate limits and realtime events are shared again');
  });
  client.on('end', () => unreachable.delete(client));
  return (error) => markDown(client, error);
}
