import { BUILT_IN_ROLES } from '../../src/common/built-ins';
import type { MigrationContext } from '../migration';

export async function seed({ sequelize, transaction }: MigrationContext): Promise<void> {
  for (const role of BUILT_IN_ROLES) {
    await sequelize.query(
      `INSERT INTO "Roles" (id, name, "createdAt", "updatedAt")
       SELECT :id, :name, now(), now()
       WHERE NOT EXISTS (SELECT 1 FROM "Roles" WHERE id = :id OR lower(name) = :name)`,
      { replacements: role, transaction },
    );
  }
  await sequelize.query(
    `SELECT setval(pg_get_serial_sequence('"Roles"', 'id'), GREATEST((SELECT max(id) FROM "Roles"), 3))`,
    { transaction },
  );

  const [rows] = await sequelize.query(`SELECT id, name FROM "Roles" WHERE id IN (1, 2)`, {
    transaction,
  });
  const found = new Map((rows as { id: number; name: string }[]).map((row) => [row.id, row.name]));
  for (const role of BUILT_IN_ROLES.slice(0, 2)) {
    if (found.get(role.id)?.toLowerCase() !== role.name) {
      throw new Error(
        `Role ${role.id} must be "${role.name}" (the iOS client depends on it) but is ` +
          `${JSON.stringify(found.get(role.id) ?? null)}; fix the Roles table, then seed again.`,
      );
    }
  }
}
