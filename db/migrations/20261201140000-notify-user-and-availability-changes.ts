import type { MigrationContext } from '../migration';

/**
 * Two more things the API keeps in memory, told apart by the same `NOTIFY swiftride_changes`:
 * a user's whole account view (username and timestamps too, for /auth/me and /users/me), so any
 * change to a user's row is announced, not only a role change; and which service types have a
 * driver online, so any change to who is online, or in which type, announces `DriverProfiles`.
 * Location updates (by far the most frequent change to a profile) name neither column: they
 * announce nothing.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`DROP TRIGGER "Users_notify_change" ON "Users"`);
  await query(`CREATE TRIGGER "Users_notify_change"
    AFTER UPDATE OR DELETE ON "Users"
    FOR EACH ROW EXECUTE FUNCTION swiftride_notify_user_change()`);
  await query(`CREATE TRIGGER "DriverProfiles_notify_availability_change"
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF "isOnline", "serviceTypeId" ON "DriverProfiles"
    FOR EACH STATEMENT EXECUTE FUNCTION swiftride_notify_table_change()`);
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`DROP TRIGGER "DriverProfiles_notify_availability_change" ON "DriverProfiles"`);
  await query(`DROP TRIGGER "Users_notify_change" ON "Users"`);
  await query(`CREATE TRIGGER "Users_notify_change"
    AFTER UPDATE OF "roleId" OR DELETE ON "Users"
    FOR EACH ROW EXECUTE FUNCTION swiftride_notify_user_change()`);
}
