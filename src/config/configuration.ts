import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { validateEnvironment } from './environment';

export interface DatabaseConfig {
  /** Connection URL; absent means "start the embedded PostgreSQL". */
  url?: string;
  embeddedDataDir: string;
  embeddedPort: number;
  poolMax: number;
}

export interface HttpConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  corsOrigins: string[];
  logRequests: boolean;
}

export interface AdminConfig {
  username?: string;
  password?: string;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: HttpConfig;
  database: DatabaseConfig;
  admin: AdminConfig;
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
    },
    database: {
      url: env.DATABASE_URL,
      embeddedDataDir: resolve(env.EMBEDDED_PG_DATA_DIR),
      embeddedPort: env.EMBEDDED_PG_PORT,
      poolMax: env.DB_POOL_MAX,
    },
    admin: { username: env.ADMIN_USERNAME, password: env.ADMIN_PASSWORD },
  };
}
