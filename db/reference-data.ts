import type { Sequelize, Transaction } from 'sequelize';

/** The ride classes the iOS client's previews assume, with fixed ids. */
export const REFERENCE_SERVICE_TYPES = [
  {
    id: 1,
    name: 'SwiftRide X',
    baseFare: 2.5,
    perMileRate: 1.2,
    perMinuteRate: 0.25,
    maxPassengers: 4,
  },
  {
    id: 2,
    name: 'SwiftRide SUV',
    baseFare: 5,
    perMileRate: 2,
    perMinuteRate: 0.35,
    maxPassengers: 6,
  },
  {
    id: 3,
    name: 'SwiftRide Black',
    baseFare: 8,
    perMileRate: 3,
    perMinuteRate: 0.5,
    maxPassengers: 4,
  },
] as const;

/** Inserts each reference service type whose id and name are both still free; moves the sequence past 3. */
export async function insertReferenceServiceTypes(
  sequelize: Sequelize,
  transaction: Transaction,
): Promise<void> {
  for (const type of REFERENCE_SERVICE_TYPES) {
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
