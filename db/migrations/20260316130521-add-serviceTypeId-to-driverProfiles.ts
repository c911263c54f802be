import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';
import { insertReferenceServiceTypes } from '../reference-data';

/**
 * Every driver drives one service type, "SwiftRide X" (id 1) unless told otherwise. Existing
 * drivers need that row to exist before the foreign key can hold, so it is created here when
 * missing (the seed creates it on fresh databases).
 */
export async function up({
  queryInterface,
  sequelize,
  transaction,
}: MigrationContext): Promise<void> {
  const [drivers] = await sequelize.query('SELECT 1 FROM "DriverProfiles" LIMIT 1', {
    transaction,
  });
  if (drivers.length > 0) await insertReferenceServiceTypes(sequelize, transaction);
  await queryInterface.addColumn(
    'DriverProfiles',
    'serviceTypeId',
    {
      type: DataTypes.INTEGER,
      allowNull: false,
      defaultValue: 1,
      references: { model: 'ServiceTypes', key: 'id' },
      onUpdate: 'CASCADE',
      onDelete: 'RESTRICT',
    },
    { transaction },
  );
}

export async function down({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.removeColumn('DriverProfiles', 'serviceTypeId', { transaction });
}
