import type { MigrationContext } from '../migration';
import { insertReferenceServiceTypes } from '../reference-data';

/** SwiftRide X = 1, SUV = 2, Black = 3, with the fares of the client's previews. */
export async function seed({ sequelize, transaction }: MigrationContext): Promise<void> {
  await insertReferenceServiceTypes(sequelize, transaction);
}
