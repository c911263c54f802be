import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getConnectionToken } from '@nestjs/sequelize';
import type { Sequelize } from 'sequelize-typescript';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app.setup';
import { loadConfig } from '../../src/config/configuration';
import { createMigratedDatabase, type TestDatabase } from './database';

/** Secrets that must never leave the API: argon2 and bcrypt password hashes. */
export const SECRET_PATTERNS = [/\$argon2(id|i|d)\$/, /\$2[aby]\$\d\d\$/];

export interface TestApp {
  app: NestFastifyApplication;
  http: TestAgent;
  database: TestDatabase;
  sequelize: Sequelize;
  /** Every response body this app sent, for checks across a whole file. */
  bodies: string[];
  close(): Promise<void>;
}

/**
 * The real API (same setup as `npm start`) on a fresh database of its own. `close()` fails the file
 * if any response it sent contained a password hash.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createMigratedDatabase();
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: database.url, ...env });
  const app = await createApp(config);
  const bodies: string[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', async (_request, _reply, payload) => {
      if (typeof payload === 'string') bodies.push(payload);
      return payload;
    });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();

  return {
    app,
    http: request(app.getHttpServer()),
    database,
    sequelize: app.get<Sequelize>(getConnectionToken()),
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
