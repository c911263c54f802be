import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';
import { renameLaterDuplicates } from '../repair';

/**
 * Constraints the tutorial left out: required values, case-insensitively unique usernames and role
 * names, and an index for "users of a role". Rows that would break them are repaired, not dropped:
 * - a missing username becomes `user-<id>`, a missing role name `role-<id>`;
 * - of usernames equal but for case (or surrounding spaces) the oldest account keeps the name and
 *   each later one becomes `<name>-<id>` (`<name>-<id>-2`, … if that is taken too); likewise for
 *   role names;
 * - a missing password becomes `!`, which no password verifies: that account must be reset.
 */
export async function up({
  queryInterface,
  sequelize,
  transaction,
}: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });

  await query(`UPDATE "Roles" SET name = btrim(name) WHERE name <> btrim(name)`);
  await query(`UPDATE "Roles" SET name = 'role-' || id WHERE coalesce(name, '') = ''`);
  await query(renameLaterDuplicates('Roles', 'name'));

  await query(`UPDATE "Users" SET username = btrim(username) WHERE username <> btrim(username)`);
  await query(`UPDATE "Users" SET username = 'user-' || id WHERE coalesce(username, '') = ''`);
  await query(renameLaterDuplicates('Users', 'username'));
  await query(`UPDATE "Users" SET password = '!' WHERE coalesce(password, '') = ''`);

  const required = { type: DataTypes.STRING, allowNull: false };
  await queryInterface.changeColumn('Roles', 'name', required, { transaction });
  await queryInterface.changeColumn('Users', 'username', required, { transaction });
  await queryInterface.changeColumn('Users', 'password', required, { transaction });

  await query(`CREATE UNIQUE INDEX "Roles_name_lower_key" ON "Roles" (lower(name))`);
  await query(`CREATE UNIQUE INDEX "Users_username_lower_key" ON "Users" (lower(username))`);
  await query(`CREATE INDEX "Users_roleId_idx" ON "Users" ("roleId")`);
}

export async function down({
  queryInterface,
  sequelize,
  transaction,
}: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`DROP INDEX "Users_roleId_idx"`);
  await query(`DROP INDEX "Users_username_lower_key"`);
  await query(`DROP INDEX "Roles_name_lower_key"`);

  const optional = { type: DataTypes.STRING, allowNull: true };
  await queryInterface.changeColumn('Users', 'password', optional, { transaction });
  await queryInterface.changeColumn('Users', 'username', optional, { transaction });
  await queryInterface.changeColumn('Roles', 'name', optional, { transaction });
}
