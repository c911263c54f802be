import type { MigrationContext } from '../migration';
import { lowerCaseBuiltInRoleNames } from '../reference-data';

/**
 * `Rider`, `DRIVER`, `Admin` from the original server's `Roles` become `rider`, `driver`, `admin`,
 * the names the API checks access by; other roles keep their spelling. The seed does the same on
 * every start, for roles written by hand later.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  await lowerCaseBuiltInRoleNames(sequelize, transaction);
}

/** Nothing to undo: the schema is unchanged and the original spelling is not recorded. */
export async function down(): Promise<void> {}
