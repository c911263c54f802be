import { BUILT_IN_ROLES } from '../../src/common/built-ins';
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';

/**
 * Moves users from the free-text `Users.role` to `Users.roleId` → `Roles` without losing anyone's
 * role (the tutorial's version of this migration dropped the column and its values).
 *
 * - every distinct non-empty role, trimmed and lower-cased, becomes one `Roles` row (reusing an
 *   existing role of that name); the names the iOS client hard-codes keep their ids (rider = 1,
 *   driver = 2, admin = 3) whenever those ids are free;
 * - users without a role (NULL or blank) become riders: the least-privileged role;
 * - `down` writes each user's role name back into `Users.role`.
 */
const WELL_KNOWN_ROLE_IDS = `(VALUES ${BUILT_IN_ROLES.map(({ id, name }) => `('${name}', ${id})`).join(', ')}) AS known(name, id)`;

export async function up({
  queryInterface,
  sequelize,
  transaction,
}: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });

  await query(`
    CREATE TEMPORARY TABLE wanted_roles ON COMMIT DROP AS
    SELECT DISTINCT lower(btrim(role)) AS name FROM "Users" WHERE btrim(coalesce(role, '')) <> ''
    UNION
    SELECT 'rider' FROM "Users" WHERE btrim(coalesce(role, '')) = ''`);
  await query(`DELETE FROM wanted_roles w
    WHERE EXISTS (SELECT 1 FROM "Roles" r WHERE lower(btrim(r.name)) = w.name)`);
  await query(`
    INSERT INTO "Roles" (id, name, "createdAt", "updatedAt")
    SELECT known.id, w.name, now(), now()
    FROM wanted_roles w JOIN ${WELL_KNOWN_ROLE_IDS} ON known.name = w.name
    WHERE NOT EXISTS (SELECT 1 FROM "Roles" r WHERE r.id = known.id)`);
  // Explicit ids do not move the sequence: move it past them (and past 3, kept for the seed).
  await query(`SELECT setval(pg_get_serial_sequence('"Roles"', 'id'),
    GREATEST((SELECT max(id) FROM "Roles"), 3))`);
  await query(`
    INSERT INTO "Roles" (name, "createdAt", "updatedAt")
    SELECT w.name, now(), now() FROM wanted_roles w
    WHERE NOT EXISTS (SELECT 1 FROM "Roles" r WHERE lower(btrim(r.name)) = w.name)
    ORDER BY w.name`);

  await queryInterface.addColumn('Users', 'roleId', { type: DataTypes.INTEGER }, { transaction });
  await query(`
    UPDATE "Users" u SET "roleId" = (
      SELECT min(r.id) FROM "Roles" r
      WHERE lower(btrim(r.name)) = CASE WHEN btrim(coalesce(u.role, '')) = '' THEN 'rider'
                                        ELSE lower(btrim(u.role)) END)`);
  await queryInterface.changeColumn(
    'Users',
    'roleId',
    { type: DataTypes.INTEGER, allowNull: false },
    { transaction },
  );
  await queryInterface.addConstraint('Users', {
    type: 'foreign key',
    name: 'Users_roleId_fkey',
    fields: ['roleId'],
    references: { table: 'Roles', field: 'id' },
    onUpdate: 'CASCADE',
    onDelete: 'RESTRICT',
    transaction,
  });
  await queryInterface.removeColumn('Users', 'role', { transaction });
}

export async function down({
  queryInterface,
  sequelize,
  transaction,
}: MigrationContext): Promise<void> {
  await queryInterface.addColumn('Users', 'role', { type: DataTypes.STRING }, { transaction });
  await sequelize.query(
    `UPDATE "Users" u SET role = r.name FROM "Roles" r WHERE r.id = u."roleId"`,
    { transaction },
  );
  await queryInterface.removeConstraint('Users', 'Users_roleId_fkey', { transaction });
  await queryInterface.removeColumn('Users', 'roleId', { transaction });
}
