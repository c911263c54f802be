import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes', 'on'].includes(value.toLowerCase()) : value;

/** Every environment variable the service reads, with its rules. Validated once at boot. */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 8080;

  @IsString()
  HOST = '0.0.0.0';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  EMBEDDED_PG_DATA_DIR = '.data/postgres';

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1024)
  @Max(65535)
  EMBEDDED_PG_PORT = 54329;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(100)
  DB_POOL_MAX = 10;

  /** Longest wait for a pooled connection before the request is answered 503. */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(100)
  @Max(60_000)
  DB_ACQUIRE_TIMEOUT_MS = 1_500;

  /** Longest wait for PostgreSQL to accept a new connection. */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(100)
  @Max(60_000)
  DB_CONNECT_TIMEOUT_MS = 1_000;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 100 * 1024;

  @IsString()
  CORS_ORIGINS = '';

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  LOG_REQUESTS?: boolean;

  /** Default: `warn` in tests, `info` otherwise. */
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

  /** Default: `json` in production, `pretty` otherwise. */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  @IsOptional()
  @IsString()
  JWT_SECRET?: string;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  JWT_ACCESS_TTL_SECONDS = 15 * 60;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(365)
  REFRESH_TOKEN_TTL_DAYS = 7;

  /**
   * For this long after a rotation, presenting the rotated refresh token again yields the same
   * successor (two requests at once, a retry) instead of ending the login as reuse. 0: never.
   */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(300)
  REFRESH_REUSE_INTERVAL_SECONDS = 10;

  /** `keep`: leave the original server's bcrypt hashes in place at login, so a rollback still works. */
  @IsIn(['rehash', 'keep'], { message: 'LEGACY_PASSWORD_HASHES must be rehash or keep' })
  LEGACY_PASSWORD_HASHES: 'rehash' | 'keep' = 'rehash';

  /**
   * Password hashes (argon2 or legacy bcrypt) running at once in this process. Default: one core
   * fewer than the machine has, and one fewer than libuv's thread pool (see loadConfig).
   */
  @IsOptional()
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(1024)
  HASH_CONCURRENCY?: number;

  /** Sign-ins waiting for a hashing slot; past that they get 503. Default: 32 × HASH_CONCURRENCY. */
  @IsOptional()
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(100_000)
  HASH_QUEUE_MAX?: number;

  /** libuv's own setting, read here only to check HASH_CONCURRENCY against it. */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(1024)
  UV_THREADPOOL_SIZE = 4;

  @IsOptional()
  @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  @Transform(toBoolean)
  @IsBoolean()
  TRUST_PROXY = false;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  LOGIN_ATTEMPTS_PER_MINUTE = 10;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  REGISTRATIONS_PER_MINUTE = 20;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  REFRESHES_PER_MINUTE = 60;

  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  LOGOUTS_PER_MINUTE = 30;

  /** Road distance ÷ great-circle distance, for estimates. */
  @Transform(({ value }) => Number(value))
  @IsNumber()
  @Min(1)
  @Max(3)
  RIDE_ROAD_FACTOR = 1.3;

  /** Average door-to-door speed, for durations and pickup times. */
  @Transform(({ value }) => Number(value))
  @IsNumber()
  @Min(1)
  @Max(100)
  RIDE_AVERAGE_SPEED_MPH = 20;

  /** A REQUESTED ride nobody accepts within this long is cancelled (`no_drivers_available`). */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  RIDE_REQUEST_TIMEOUT_SECONDS = 600;

  /** How often each instance looks for unanswered requests. */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(3600)
  RIDE_EXPIRY_CHECK_SECONDS = 30;

  /** Drivers within this distance of a pickup are offered the ride. */
  @Transform(({ value }) => Number(value))
  @IsNumber()
  @Min(0.1)
  @Max(100)
  RIDE_OFFER_RADIUS_KM = 5;

  /** A driver whose location is older than this is not offered rides nor counted as nearby. */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(10)
  DRIVER_LOCATION_STALE_SECONDS = 120;

  /**
   * `ranked`: each ride is offered to a few nearest drivers at a time (see src/rides/dispatch);
   * `broadcast`: to every free driver of its type within RIDE_OFFER_RADIUS_KM, first accept wins.
   */
  @IsIn(['ranked', 'broadcast'], { message: 'DISPATCH_MODE must be ranked or broadcast' })
  DISPATCH_MODE: 'ranked' | 'broadcast' = 'ranked';

  /** How many drivers a ride is offered to at once (ranked mode). */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(20)
  DISPATCH_BATCH_SIZE = 3;

  /** How long an offer lives before it expires unanswered (ranked mode). */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(300)
  DISPATCH_OFFER_SECONDS = 15;

  /** The radii a ride's search widens through, in km, ascending (ranked mode). */
  @Matches(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, {
    message: 'DISPATCH_RADIUS_STEPS_KM must be a comma-separated list of km, e.g. 2,5,10',
  })
  DISPATCH_RADIUS_STEPS_KM = '2,5,10';

  /**
   * Requests arriving within this many ms are matched together (ranked mode); 0: each request is
   * offered on its own, inside the request.
   */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(10_000)
  DISPATCH_WINDOW_MS = 1_000;

  /** That many offers in a row left to expire set a driver offline (ranked mode). */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(100)
  DISPATCH_MAX_MISSED_OFFERS = 3;

  /**
   * How often each instance's dispatcher looks for expired offers and rides due a batch, when the
   * window is off (with a window, it looks once per window). 0: never on its own (tests drive it).
   */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(60_000)
  DISPATCH_TICK_MS = 1_000;

  /** A separate port serving GET /metrics (Prometheus text); unset: no such server. */
  @IsOptional()
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  @IsString()
  METRICS_HOST = '127.0.0.1';

  /** Opens GET /api/metrics to `Authorization: Bearer <token>`; unset: the route does not exist. */
  @IsOptional()
  @IsString()
  @MinLength(32, {
    message: 'METRICS_TOKEN must be at least 32 characters (e.g. `openssl rand -hex 32`)',
  })
  METRICS_TOKEN?: string;

  @IsOptional()
  @IsString()
  @MinLength(3)
  ADMIN_USERNAME?: string;

  @IsOptional()
  @IsString()
  @MinLength(8)
  ADMIN_PASSWORD?: string;
}

export function validateEnvironment(raw: Record<string, string | undefined>): EnvironmentVariables {
  const defined = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => value !== undefined && value !== ''),
  );
  const env = plainToInstance(EnvironmentVariables, defined, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length > 0) {
    const problems = errors.flatMap((error) =>
      Object.values(error.constraints ?? {}).map((text) => `  - ${text}`),
    );
    throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
  }
  return env;
}
