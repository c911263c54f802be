import { ADMIN_ROLE_ID, BUILT_IN_ROLES } from '../../src/common/built-ins';
import { hashPassword } from '../../src/users/password-hasher';
import type { MigrationContext, SeedOptions } from '../migration';

const ADMIN_ROLE_NAME = BUILT_IN_ROLES.find((role) => role.id === ADMIN_ROLE_ID)!.name;

/**
 * Creates the admin account named by ADMIN_USERNAME / ADMIN_PASSWORD, once; never changes it. The
 * role is found by name: in an adopted database it need not have id 3.
 */
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
     SELECT :username, :password, min(id), now(), now() FROM "Roles" WHERE lower(name) = :role`,
    {
      replacements: {
        username,
        password: await hashPassword(adminPassword),
        role: ADMIN_ROLE_NAME,
      },
      transaction,
    },
  );
}
