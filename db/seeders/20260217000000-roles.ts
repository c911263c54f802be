import { BUILT_IN_ROLES, RIDER_ROLE_ID, DRIVER_ROLE_ID } from '../../src/common/built-ins';
import type { MigrationContext } from '../migration';
import { lowerCaseBuiltInRoleNames } from '../reference-data';

/**
 * rider = 1 and driver = 2, which the iOS client hard-codes, and admin: = 3 when that id is free,
 * otherwise the next free id (an adopted database may use 3 for a role of its own; the API knows
 * admins by the role's name).
 */
export async function seed({ sequelize, transaction }: MigrationContext): Promise<void> {
  await lowerCaseBuiltInRoleNames(sequelize, transaction);
  await sequelize.query(
    `SELECT setval(pg_get_serial_sequence('"Roles"', 'id'), GREATEST((SELECT max(id) FROM "Roles"), 3))`,
    { transaction },
  );
  for (const role of BUILT_IN_ROLES) {
    await sequelize.query(
      `INSERT INTO "Roles" (id, name, "createdAt", "updatedAt")
       SELECT CASE WHEN EXISTS (SELECT 1 FROM "Roles" WHERE id = :id)
                THEN nextval(pg_get_serial_sequence('"Roles"', 'id')) ELSE :id END,
              :name, now(), now()
       WHERE NOT EXISTS (SELECT 1 FROM "Roles" WHERE lower(name) = :name)`,
      { replacements: role, transaction },
    );
  }

  const [rows] = await sequelize.query(`SELECT id, name FROM "Roles" WHERE id IN (:ids)`, {
    replacements: { ids: [RIDER_ROLE_ID, DRIVER_ROLE_ID] },
    transaction,
  });
  const found = new Map((rows as { id: number; name: string }[]).map((row) => [row.id, row.name]));
  for (const role of BUILT_IN_ROLES.filter(
    ({ id }) => id === RIDER_ROLE_ID || id === DRIVER_ROLE_ID,
  )) {
    if (found.get(role.id) !== role.name) {
      throw new Error(
        `Role ${role.id} must be "${role.name}" (the iOS client depends on it) but is ` +
          `${JSON.stringify(found.get(role.id) ?? null)}; fix the Roles table, then seed again.`,
      );
    }
  }
}
