import type { AddressInfo } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getConnectionToken } from '@nestjs/sequelize';
import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize-typescript';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.setup';
import { currentRequestId } from '../../src/common/logging/request-context';
import { ChangeFeed } from '../../src/database/change-feed';
import { hashPassword } from '../../src/users/password-hasher';
import { ADMIN_ROLE_ID } from '../../src/common/built-ins';
import { loadConfig } from '../../src/config/configuration';
import { createMigratedDatabase, type TestDatabase } from './database';

/** Secrets that must never leave the API: argon2 and bcrypt password hashes. */
export const SECRET_PATTERNS = [/\$argon2(id|i|d)\$/, /\$2[aby]\$\d\d\$/];

export const TEST_ADMIN = { username: 'test-admin', password: 'test-admin-password' };

/**
 * Generous limits, so tests that sign up many users are not throttled (the rate-limit tests set
 * their own). No dispatch window: a ride's first batch of offers goes out inside its request.
 */
const TEST_DEFAULTS = {
  DISPATCH_WINDOW_MS: '0',
  LOGIN_ATTEMPTS_PER_MINUTE: '100000',
  REGISTRATIONS_PER_MINUTE: '100000',
  REFRESHES_PER_MINUTE: '100000',
  LOGOUTS_PER_MINUTE: '100000',
};

let adminHash: Promise<string> | undefined;

export interface TestApp {
  app: NestFastifyApplication;
  /** Where the app listens, `http://127.0.0.1:<port>` (for Socket.IO clients, browsers, sockets). */
  baseUrl: string;
  /** No credentials. */
  http: TestAgent;
  /** Sends the seeded admin's access token with every request. */
  admin: TestAgent;
  adminToken: string;
  database: TestDatabase;
  sequelize: Sequelize;
  /** Every response body this app sent, for checks across a whole file. */
  bodies: string[];
  close(): Promise<void>;
}

/**
 * The real API (same setup as `npm start`) listening on a port of 127.0.0.1, on a fresh database
 * of its own, logging to `log` when given (see `captureLogs`). `close()` fails the file if any
 * response it sent contained a password hash.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  log?: Logger,
): Promise<TestApp> {
  const database = await createMigratedDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    ...TEST_DEFAULTS,
    ...env,
  });
  const app = await createApp(config, log);
  const bodies: string[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (_request, _reply, payload) => {
      if (typeof payload === 'string') bodies.push(payload);
      return payload;
    });
  let adminToken: string;
  let sequelize: Sequelize;
  try {
    // Listening before the first request: given a server that does not listen, supertest listens
    // on a new port for each request and closes the server when that request ends, so requests
    // sent meanwhile share a server that is closing, and each request pays a listen and a close.
    await app.listen(0, '127.0.0.1');
    sequelize = app.get<Sequelize>(getConnectionToken());
    adminHash ??= hashPassword(TEST_ADMIN.password);
    await sequelize.query(
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       VALUES (:username, :password, :roleId, now(), now())`,
      {
        replacements: {
          username: TEST_ADMIN.username,
          password: await adminHash,
          roleId: ADMIN_ROLE_ID,
        },
      },
    );
    const login = await request(app.getHttpServer())
      .post('/api/auth/login')
      .send(TEST_ADMIN)
      .expect(200);
    adminToken = login.body.accessToken as string;
  } catch (error) {
    // Close what was opened (pool, Redis), or Jest waits for it forever.
    await app.close().catch(() => undefined);
    await database.drop().catch(() => undefined);
    throw error;
  }

  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    http: request(app.getHttpServer()),
    admin: request.agent(app.getHttpServer()).set('Authorization', `Bearer ${adminToken}`),
    adminToken,
    database,
    sequelize,
    bodies,
    async close() {
      await app.close();
      await database.drop();
      const leaked = bodies.filter((body) => SECRET_PATTERNS.some((pattern) => pattern.test(body)));
      if (leaked.length > 0) {
        throw new Error(
          `${leaked.length} response(s) contained a password hash: ${leaked[0].slice(0, 200)}`,
        );
      }
    },
  };
}

/**
 * Runs a change straight in the database, as another API process or an operator would, and
 * resolves once the app has heard the database announce it (it caches service types and callers).
 */
export async function changeElsewhere<T>(
  t: TestApp,
  table: 'Users' | 'Roles' | 'ServiceTypes',
  change: () => Promise<T>,
): Promise<T> {
  let stop: () => void = () => undefined;
  const heard = new Promise<void>((resolve) => {
    stop = t.app.get(ChangeFeed).subscribe((notice) => {
      if (notice !== 'reset' && notice.table === table) resolve();
    });
  });
  try {
    const result = await change();
    await heard;
    return result;
  } finally {
    stop();
  }
}

/**
 * Resolves once the app has heard every change committed before this call: the database delivers
 * a listener's notices in commit order, so a marker sent now arrives after all of them. Tests that
 * count statements settle first, or a late notice could drop a cached caller mid-count.
 */
export async function settleChanges(t: TestApp): Promise<void> {
  const marker = `Settled${Date.now()}${Math.random().toString(36).slice(2)}`;
  let stop: () => void = () => undefined;
  const heard = new Promise<void>((resolve) => {
    stop = t.app.get(ChangeFeed).subscribe((notice) => {
      if (notice !== 'reset' && notice.table === marker) resolve();
    });
  });
  try {
    await t.sequelize.query(`SELECT pg_notify('swiftride_changes', :marker)`, {
      replacements: { marker },
    });
    await heard;
  } finally {
    stop();
  }
}

/**
 * How many statements requests run on the app's pool during `run`, once every earlier change is
 * heard. Only statements sent while serving a request count: the dispatcher, the expiry sweep and
 * the other timers share the pool, and a tick of theirs may fall inside `run`.
 */
export async function countStatements(t: TestApp, run: () => Promise<unknown>): Promise<number> {
  await settleChanges(t);
  let statements = 0;
  t.sequelize.addHook('beforeQuery', 'countStatements', () => {
    if (currentRequestId() !== undefined) statements += 1;
  });
  try {
    await run();
  } finally {
    t.sequelize.removeHook('beforeQuery', 'countStatements');
  }
  return statements;
}
