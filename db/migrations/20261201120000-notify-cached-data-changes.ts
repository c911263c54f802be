import type { MigrationContext } from '../migration';

/**
 * Every API process keeps reference data (service types) and callers (user id → role) in memory;
 * these triggers tell all of them, through `NOTIFY swiftride_changes`, when such rows change, in
 * whatever way they change (the API, a migration, psql). NOTIFY is delivered on commit, so a
 * rolled-back change invalidates nothing. Payload: the table, plus `:<id>` for a user.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`CREATE FUNCTION swiftride_notify_table_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('swiftride_changes', TG_TABLE_NAME);
      RETURN NULL;
    END $$`);
  await query(`CREATE FUNCTION swiftride_notify_user_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('swiftride_changes', 'Users:' || OLD.id);
      RETURN NULL;
    END $$`);
  await query(`CREATE TRIGGER "ServiceTypes_notify_change"
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ServiceTypes"
    FOR EACH STATEMENT EXECUTE FUNCTION swiftride_notify_table_change()`);
  await query(`CREATE TRIGGER "Roles_notify_change"
    AFTER UPDATE OR DELETE OR TRUNCATE ON "Roles"
    FOR EACH STATEMENT EXECUTE FUNCTION swiftride_notify_table_change()`);
  await query(`CREATE TRIGGER "Users_notify_change"
    AFTER UPDATE OF "roleId" OR DELETE ON "Users"
    FOR EACH ROW EXECUTE FUNCTION swiftride_notify_user_change()`);
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`DROP TRIGGER "Users_notify_change" ON "Users"`);
  await query(`DROP TRIGGER "Roles_notify_change" ON "Roles"`);
  await query(`DROP TRIGGER "ServiceTypes_notify_change" ON "ServiceTypes"`);
  await query(`DROP FUNCTION swiftride_notify_user_change()`);
  await query(`DROP FUNCTION swiftride_notify_table_change()`);
}
