import { hashPassword } from '../../src/users/password-hasher';
import type { MigrationContext, SeedOptions } from '../migration';

/** Creates the admin account named by ADMIN_USERNAME / ADMIN_PASSWORD, once; never changes it. */
export async function seed(
  { sequelize, transaction }: MigrationContext,
  { adminUsername, adminPassword }: SeedOptions,
): Promise<void> {
  const username = adminUsername?.trim();
  if (!username || !adminPassword) return;
  const [rows] = await sequelize.query(
    `SELECT 1 FROM "Users" WHERE lower(username) = lower(:username)`,
    { replacements: { username }, transaction },
  );
  if (rows.length > 0) return;
  await sequelize.query(
    `INSERT INTO "Users" (username, password, "roleId", "createdAt", "updatedAt")
     SELECT :username, :password, min(id), now(), now() FROM "Roles" WHERE lower(name) = 'admin'`,
    {
      replacements: { username, password: await hashPassword(adminPassword) },
      transaction,
    },
  );
}
