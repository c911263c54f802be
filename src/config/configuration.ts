import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import type { LogConfig } from '../common/logging/logger';
import { validateEnvironment } from './environment';

export interface DatabaseConfig {
  /** Connection URL; absent means "start the embedded PostgreSQL". */
  url?: string;
  embeddedDataDir: string;
  embeddedPort: number;
  poolMax: number;
  acquireTimeoutMs: number;
  connectTimeoutMs: number;
}

export interface HttpConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  corsOrigins: string[];
  logRequests: boolean;
  trustProxy: boolean;
}

export interface AuthConfig {
  jwtSecret: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  /** How long a rotated refresh token still yields its successor (see SessionsService). */
  refreshReuseIntervalSeconds: number;
  /** Verify bcrypt hashes from the original server but do not replace them (a trial adoption). */
  keepLegacyPasswordHashes: boolean;
}

/** The gate in front of password hashing (see users/hashing-gate.ts). */
export interface HashingConfig {
  /** Hashes running at once; the rest wait in the queue. */
  concurrency: number;
  /** Hashes waiting at most; past that a sign-in is answered 503 with Retry-After. */
  queueMax: number;
}

export interface RateLimitConfig {
  /** Shared counters across instances when set; in-process otherwise. */
  redisUrl?: string;
  loginAttemptsPerMinute: number;
  registrationsPerMinute: number;
  refreshesPerMinute: number;
  logoutsPerMinute: number;
}

export interface RidesConfig {
  roadFactor: number;
  averageSpeedMph: number;
  requestTimeoutSeconds: number;
  expiryCheckSeconds: number;
  offerRadiusKm: number;
  locationStaleSeconds: number;
}

export interface DispatchConfig {
  mode: 'ranked' | 'broadcast';
  batchSize: number;
  offerSeconds: number;
  /** Ascending, at least one. */
  radiusStepsKm: number[];
  windowMs: number;
  maxMissedOffers: number;
  /** 0: no timer. */
  tickMs: number;
}

export interface RealtimeConfig {
  /** Events reach clients connected to any instance when set; this instance's clients otherwise. */
  redisUrl?: string;
}

/** Where Prometheus may scrape; neither set means no metrics are exposed (nor HTTP timings taken). */
export interface MetricsConfig {
  port?: number;
  host: string;
  token?: string;
}

export interface AdminConfig {
  username?: string;
  password?: string;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: HttpConfig;
  log: LogConfig;
  database: DatabaseConfig;
  auth: AuthConfig;
  hashing: HashingConfig;
  rateLimits: RateLimitConfig;
  rides: RidesConfig;
  dispatch: DispatchConfig;
  realtime: RealtimeConfig;
  metrics: MetricsConfig;
  admin: AdminConfig;
}

const PLACEHOLDER_SECRET = /change|secret|placeholder|example|default|your|todo|xxx/i;
const DEV_SECRET_FILE = '.data/jwt-secret';

/**
 * Production must bring its own strong secret. Development generates one once and keeps it under
 * .data/ so tokens survive restarts; tests get a fresh one per run.
 */
function resolveJwtSecret(nodeEnv: AppConfig['env'], given: string | undefined): string {
  if (nodeEnv === 'production') {
    if (!given) throw new Error('Invalid configuration:\n  - JWT_SECRET must be set in production');
    if (given.length < 32 || PLACEHOLDER_SECRET.test(given) || new Set(given).size < 10) {
      throw new Error(
        'Invalid configuration:\n  - JWT_SECRET must be at least 32 random characters, not a placeholder ' +
          '(e.g. `openssl rand -base64 48`)',
      );
    }
    return given;
  }
  if (given) return given;
  if (nodeEnv === 'test') return randomBytes(48).toString('base64url');
  const file = resolve(DEV_SECRET_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(48).toString('base64url');
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * argon2's native work runs on libuv's thread pool (UV_THREADPOOL_SIZE threads, 4 by default),
 * which file system, DNS lookups and zlib share. One core is left for the event loop, so that
 * other requests keep their latency while sign-ins hash, and one pool thread is left for the
 * rest: a hash beyond the pool's size would only queue there, out of sight of the gate, and
 * hold up every file read and lookup behind it.
 */
function resolveHashing(
  given: { concurrency?: number; queueMax?: number },
  threadPoolSize: number,
  cores = availableParallelism(),
): HashingConfig {
  const mostInPool = Math.max(1, threadPoolSize - 1);
  if (given.concurrency !== undefined && given.concurrency > mostInPool) {
    throw new Error(
      `Invalid configuration:\n  - HASH_CONCURRENCY (${given.concurrency}) must be at most ${mostInPool} ` +
        `with UV_THREADPOOL_SIZE=${threadPoolSize}: argon2 runs on libuv's thread pool; raise both together`,
    );
  }
  const concurrency = given.concurrency ?? Math.max(1, Math.min(cores - 1, mostInPool));
  return { concurrency, queueMax: given.queueMax ?? 32 * concurrency };
}

/** Values from `.env` in the working directory, for development; real environment variables win. */
export function readDotEnv(path = resolve(process.cwd(), '.env')): Record<string, string> {
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
}

/** The one place that turns the environment into typed, validated configuration. */
export function loadConfig(
  raw: Record<string, string | undefined> = { ...readDotEnv(), ...process.env },
): AppConfig {
  const env = validateEnvironment(raw);
  return {
    env: env.NODE_ENV,
    http: {
      host: env.HOST,
      port: env.PORT,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      corsOrigins: env.CORS_ORIGINS.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
      logRequests: env.LOG_REQUESTS ?? env.NODE_ENV === 'production',
      trustProxy: env.TRUST_PROXY,
    },
    log: {
      level: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'),
      format: env.LOG_FORMAT ?? (env.NODE_ENV === 'production' ? 'json' : 'pretty'),
    },
    database: {
      url: env.DATABASE_URL,
      embeddedDataDir: resolve(env.EMBEDDED_PG_DATA_DIR),
      embeddedPort: env.EMBEDDED_PG_PORT,
      poolMax: env.DB_POOL_MAX,
      acquireTimeoutMs: env.DB_ACQUIRE_TIMEOUT_MS,
      connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
    },
    auth: {
      jwtSecret: resolveJwtSecret(env.NODE_ENV, env.JWT_SECRET),
      accessTokenTtlSeconds: env.JWT_ACCESS_TTL_SECONDS,
      refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
      refreshReuseIntervalSeconds: env.REFRESH_REUSE_INTERVAL_SECONDS,
      keepLegacyPasswordHashes: env.LEGACY_PASSWORD_HASHES === 'keep',
    },
    hashing: resolveHashing(
      { concurrency: env.HASH_CONCURRENCY, queueMax: env.HASH_QUEUE_MAX },
      env.UV_THREADPOOL_SIZE,
    ),
    rateLimits: {
      redisUrl: env.REDIS_URL,
      loginAttemptsPerMinute: env.LOGIN_ATTEMPTS_PER_MINUTE,
      registrationsPerMinute: env.REGISTRATIONS_PER_MINUTE,
      refreshesPerMinute: env.REFRESHES_PER_MINUTE,
      logoutsPerMinute: env.LOGOUTS_PER_MINUTE,
    },
    rides: {
      roadFactor: env.RIDE_ROAD_FACTOR,
      averageSpeedMph: env.RIDE_AVERAGE_SPEED_MPH,
      requestTimeoutSeconds: env.RIDE_REQUEST_TIMEOUT_SECONDS,
      expiryCheckSeconds: env.RIDE_EXPIRY_CHECK_SECONDS,
      offerRadiusKm: env.RIDE_OFFER_RADIUS_KM,
      locationStaleSeconds: env.DRIVER_LOCATION_STALE_SECONDS,
    },
    dispatch: {
      mode: env.DISPATCH_MODE,
      batchSize: env.DISPATCH_BATCH_SIZE,
      offerSeconds: env.DISPATCH_OFFER_SECONDS,
      radiusStepsKm: radiusSteps(env.DISPATCH_RADIUS_STEPS_KM),
      windowMs: env.DISPATCH_WINDOW_MS,
      maxMissedOffers: env.DISPATCH_MAX_MISSED_OFFERS,
      tickMs: env.DISPATCH_TICK_MS,
    },
    realtime: { redisUrl: env.REDIS_URL },
    metrics: { port: env.METRICS_PORT, host: env.METRICS_HOST, token: env.METRICS_TOKEN },
    admin: { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD },
  };
}

/** "2,5,10" as ascending km; a step out of order or outside (0, 100] is refused. */
function radiusSteps(list: string): number[] {
  const steps = list.split(',').map((step) => Number(step.trim()));
  const ascending = steps.every((step, i) => i === 0 || step > steps[i - 1]);
  if (!ascending || steps.some((step) => !(step > 0 && step <= 100))) {
    throw new Error(
      'Invalid configuration:\n  - DISPATCH_RADIUS_STEPS_KM must be ascending km in (0, 100], e.g. 2,5,10',
    );
  }
  return steps;
}
