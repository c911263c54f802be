/** Going back to the original Express server after trying SwiftRide on its database. */
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as bcrypt from 'bcryptjs';
import request from 'supertest';
import { migrateDown, migrateUp } from '../../db/migrator';
import type { TestDatabase } from '../support/database';
import { query, recordedMigrations } from '../support/migrations';
import {
  createOriginalDatabase,
  ORIGINAL_BASELINE,
  ORIGINAL_MIGRATIONS,
  startAdoptedApp,
} from '../support/original-server';

const ANN = { username: 'ann', password: 'anns-original-password' };

async function tables(url: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    url,
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_name <> 'SequelizeMeta' ORDER BY table_name`,
  );
  return rows.map((row) => row.table_name);
}

async function storedHash(url: string): Promise<string> {
  const [row] = await query<{ password: string }>(
    url,
    `SELECT password FROM "Users" WHERE username = $1`,
    [ANN.username],
  );
  return row.password;
}

describe('rolling an adopted database back to the original server', () => {
  let database: TestDatabase;
  let originalHash: string;

  beforeEach(async () => {
    database = await createOriginalDatabase();
    originalHash = bcrypt.hashSync(ANN.password, 4);
    await query(
      database.url,
      `INSERT INTO "Roles" (name, "createdAt", "updatedAt") VALUES ('rider', now(), now())`,
    );
    await query(
      database.url,
      `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
       VALUES ($1, $2, 1, now(), now())`,
      [ANN.username, originalHash],
    );
    await migrateUp(database.url);
  });
  afterEach(async () => {
    await database?.drop();
  });

  it('undoes everything down to the original schema and stops there, keeping its rows', async () => {
    const reverted = await migrateDown(database.url, { to: 0 });

    expect(reverted.length).toBeGreaterThan(0);
    expect(await recordedMigrations(database.url)).toEqual(ORIGINAL_MIGRATIONS);
    expect(await tables(database.url)).toEqual([
      'DriverProfiles',
      'RideRequests',
      'Roles',
      'ServiceTypes',
      'Users',
    ]);
    expect(await query(database.url, `SELECT username, password FROM "Users"`)).toEqual([
      { username: ANN.username, password: originalHash },
    ]);
    expect(await migrateDown(database.url, { to: 0 })).toEqual([]);
  });

  it('refuses to revert the original server’s migrations unless forced', async () => {
    await migrateDown(database.url, { to: 0 });

    await expect(migrateDown(database.url, {})).rejects.toThrow(
      new RegExp(`Refusing to revert ${ORIGINAL_BASELINE}.*db:migrate:undo:everything`),
    );
    await expect(migrateDown(database.url, { to: ORIGINAL_MIGRATIONS[0] })).rejects.toThrow(
      /Refusing to revert/,
    );
    expect(await recordedMigrations(database.url)).toEqual(ORIGINAL_MIGRATIONS);

    await migrateDown(database.url, { to: 0, force: true });
    expect(await tables(database.url)).toEqual([]);
  });

  describe('with LEGACY_PASSWORD_HASHES=keep', () => {
    let app: NestFastifyApplication | undefined;
    afterEach(async () => {
      await app?.close();
    });

    it('logs original users in without replacing their bcrypt hash, so the original server still can', async () => {
      const adopted = await startAdoptedApp(database.url, { LEGACY_PASSWORD_HASHES: 'keep' });
      app = adopted;
      const logIn = () => request(adopted.getHttpServer()).post('/api/auth/login').send(ANN);

      expect((await logIn()).status).toBe(200);
      expect((await logIn()).status).toBe(200);
      await adopted.close();
      app = undefined;

      await migrateDown(database.url, { to: 0 });
      const hash = await storedHash(database.url);
      expect(hash).toBe(originalHash);
      expect(bcrypt.compareSync(ANN.password, hash)).toBe(true);
    });
  });
});
