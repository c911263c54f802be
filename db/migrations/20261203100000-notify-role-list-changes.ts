import type { MigrationContext } from '../migration';

/**
 * The role list (each role with its number of users) is kept in memory too. It changes when a role
 * is created, which the Roles trigger did not announce, and when a user is added, which the Users
 * trigger (update and delete, per row) did not either. A new user is announced once per statement
 * as `Users` with no id: no account kept in memory can be one of the new rows, and a bulk insert
 * of a hundred thousand users is one notification, not a hundred thousand.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`DROP TRIGGER "Roles_notify_change" ON "Roles"`);
  await query(`CREATE TRIGGER "Roles_notify_change"
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Roles"
    FOR EACH STATEMENT EXECUTE FUNCTION swiftride_notify_table_change()`);
  await query(`CREATE TRIGGER "Users_notify_insert"
    AFTER INSERT ON "Users"
    FOR EACH STATEMENT EXECUTE FUNCTION swiftride_notify_table_change()`);
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`DROP TRIGGER "Users_notify_insert" ON "Users"`);
  await query(`DROP TRIGGER "Roles_notify_change" ON "Roles"`);
  await query(`CREATE TRIGGER "Roles_notify_change"
    AFTER UPDATE OR DELETE OR TRUNCATE ON "Roles"
    FOR EACH STATEMENT EXECUTE FUNCTION swiftride_notify_table_change()`);
}
