import type { Sequelize, Transaction } from 'sequelize';
import { REFERENCE_SERVICE_TYPES } from '../src/common/built-ins';

/** Inserts each reference service type whose id and name are both still free; moves the sequence past 3. */
export async function insertReferenceServiceTypes(
  sequelize: Sequelize,
  transaction: Transaction,
): Promise<void> {
  for (const { legacyName: _legacy, ...type } of REFERENCE_SERVICE_TYPES) {
    await sequelize.query(
      `INSERT INTO "ServiceTypes"
         (id, name, "baseFare", "perMileRate", "perMinuteRate", "maxPassengers", "isActive", "createdAt", "updatedAt")
       SELECT :id, :name, :baseFare, :perMileRate, :perMinuteRate, :maxPassengers, true, now(), now()
       WHERE NOT EXISTS (SELECT 1 FROM "ServiceTypes" WHERE id = :id OR lower(name) = lower(:name))`,
      { replacements: type, transaction },
    );
  }
  await sequelize.query(
    `SELECT setval(pg_get_serial_sequence('"ServiceTypes"', 'id'),
       GREATEST((SELECT max(id) FROM "ServiceTypes"), 3))`,
    { transaction },
  );
}
