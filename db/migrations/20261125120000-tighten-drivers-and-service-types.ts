import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';
import { normaliseLicencePlates, renameLaterDuplicates } from '../repair';

/**
 * Constraints the original server left out, repairing rows instead of failing on them:
 * - service types: unique names (any case; later duplicates become `<name>-<id>`), fares ≥ 0,
 *   at least one passenger, `isActive` required (missing → false, as the original server hid it);
 * - driver profiles: vehicle fields required (missing → `unknown`, a missing plate `UNKNOWN-<id>`),
 *   plates stored as the API writes them (spaces collapsed, trimmed, upper-cased) and unique:
 *   plates that become equal keep the oldest profile's, later ones become `<PLATE>-<id>`;
 * - a partial index of online drivers by service type, for "which types have a driver online".
 */
export async function up({
  queryInterface,
  sequelize,
  transaction,
}: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });

  await query(`UPDATE "ServiceTypes" SET name = btrim(name) WHERE name <> btrim(name)`);
  await query(renameLaterDuplicates('ServiceTypes', 'name'));
  // The original server listed only types whose flag was true: a missing flag stays hidden.
  await query(`UPDATE "ServiceTypes" SET "isActive" = false WHERE "isActive" IS NULL`);
  await queryInterface.changeColumn(
    'ServiceTypes',
    'isActive',
    { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    { transaction },
  );
  await query(`CREATE UNIQUE INDEX "ServiceTypes_name_lower_key" ON "ServiceTypes" (lower(name))`);
  await query(`ALTER TABLE "ServiceTypes"
    ADD CONSTRAINT "ServiceTypes_fares_check"
      CHECK ("baseFare" >= 0 AND "perMileRate" >= 0 AND "perMinuteRate" >= 0) NOT VALID,
    ADD CONSTRAINT "ServiceTypes_maxPassengers_check" CHECK ("maxPassengers" > 0) NOT VALID`);

  await query(`UPDATE "DriverProfiles" SET make = 'unknown' WHERE coalesce(btrim(make), '') = ''`);
  await query(
    `UPDATE "DriverProfiles" SET model = 'unknown' WHERE coalesce(btrim(model), '') = ''`,
  );
  await query(`UPDATE "DriverProfiles" SET "licensePlate" = 'UNKNOWN-' || id
    WHERE coalesce(btrim("licensePlate"), '') = ''`);
  await query(normaliseLicencePlates());
  for (const column of ['make', 'model', 'licensePlate']) {
    await queryInterface.changeColumn(
      'DriverProfiles',
      column,
      { type: DataTypes.STRING, allowNull: false },
      { transaction },
    );
  }
  await query(
    `CREATE UNIQUE INDEX "DriverProfiles_licensePlate_lower_key" ON "DriverProfiles" (lower("licensePlate"))`,
  );
  await query(`CREATE INDEX "DriverProfiles_online_serviceTypeId_idx" ON "DriverProfiles" ("serviceTypeId")
    WHERE "isOnline"`);
}

export async function down({
  queryInterface,
  sequelize,
  transaction,
}: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(`DROP INDEX "DriverProfiles_online_serviceTypeId_idx"`);
  await query(`DROP INDEX "DriverProfiles_licensePlate_lower_key"`);
  for (const column of ['make', 'model', 'licensePlate']) {
    await queryInterface.changeColumn(
      'DriverProfiles',
      column,
      { type: DataTypes.STRING, allowNull: true },
      { transaction },
    );
  }
  await query(`ALTER TABLE "ServiceTypes"
    DROP CONSTRAINT "ServiceTypes_maxPassengers_check", DROP CONSTRAINT "ServiceTypes_fares_check"`);
  await query(`DROP INDEX "ServiceTypes_name_lower_key"`);
  await queryInterface.changeColumn(
    'ServiceTypes',
    'isActive',
    { type: DataTypes.BOOLEAN, allowNull: true, defaultValue: true },
    { transaction },
  );
}
