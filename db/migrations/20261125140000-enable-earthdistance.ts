import type { MigrationContext } from '../migration';

/**
 * Great-circle distances and their GiST indexes. `cube` and `earthdistance` ship with PostgreSQL
 * itself (Debian's packages and the embedded binaries alike) and are trusted extensions, so the
 * database owner may create them; PostGIS would not be available everywhere.
 */
export async function up({ sequelize, transaction }: MigrationContext): Promise<void> {
  await sequelize.query('CREATE EXTENSION IF NOT EXISTS cube', { transaction });
  await sequelize.query('CREATE EXTENSION IF NOT EXISTS earthdistance', { transaction });
}

export async function down({ sequelize, transaction }: MigrationContext): Promise<void> {
  await sequelize.query('DROP EXTENSION IF EXISTS earthdistance', { transaction });
  await sequelize.query('DROP EXTENSION IF EXISTS cube', { transaction });
}
