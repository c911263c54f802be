import type { MigrationContext } from '../migration';
import { fitMoney } from '../repair';

/**
 * Databases of the original server may have looser ServiceTypes columns (plain DECIMAL, nullable)
 * than ours. This makes them what the model and the API promise: money as DECIMAL(10,2) rounded
 * to cents, every fare, name and capacity present (missing or NaN fares become 0, negative ones 0,
 * ones beyond 99 999 999.99 that amount; a missing name `service-type-<id>`, a missing capacity 4).
 * On databases created by our own migrations it changes nothing.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  const query = (sql: string) => sequelize.query(sql, { transaction });
  await query(
    `UPDATE "ServiceTypes" SET name = 'service-type-' || id WHERE coalesce(name, '') = ''`,
  );
  await query(`UPDATE "ServiceTypes" SET "maxPassengers" = 4 WHERE "maxPassengers" IS NULL`);
  for (const column of ['baseFare', 'perMileRate', 'perMinuteRate']) {
    await query(fitMoney('ServiceTypes', column));
    await query(`UPDATE "ServiceTypes" SET "${column}" = 0 WHERE "${column}" IS NULL`);
    await query(`ALTER TABLE "ServiceTypes"
      ALTER COLUMN "${column}" TYPE DECIMAL(10, 2) USING round("${column}", 2),
      ALTER COLUMN "${column}" SET NOT NULL`);
  }
  await query(`ALTER TABLE "ServiceTypes"
    ALTER COLUMN name SET NOT NULL, ALTER COLUMN "maxPassengers" SET NOT NULL`);
}

/** Nothing to undo: the tighter columns are valid for every earlier migration's schema too. */
export async function down(): Promise<void> {}
