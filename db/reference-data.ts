import type { Sequelize, Transaction } from 'sequelize';
import { BUILT_IN_ROLES, REFERENCE_SERVICE_TYPES } from '../src/common/built-ins';

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

/**
 * The API recognises the built-in roles by their lower-case names; the original server's `Roles`
 * may spell them `Rider` or `DRIVER`. Names are unique regardless of case, so this cannot clash.
 */
export async function lowerCaseBuiltInRoleNames(
  sequelize: Sequelize,
  transaction: Transaction,
): Promise<void> {
  await sequelize.query(
    `UPDATE "Roles" SET name = lower(name), "updatedAt" = now()
     WHERE lower(name) IN (:names) AND name <> lower(name)`,
    { replacements: { names: BUILT_IN_ROLES.map((role) => role.name) }, transaction },
  );
}
