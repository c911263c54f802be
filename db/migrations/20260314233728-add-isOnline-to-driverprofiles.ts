import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';

export async function up({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.addColumn(
    'DriverProfiles',
    'isOnline',
    { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    { transaction },
  );
}

export async function down({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.removeColumn('DriverProfiles', 'isOnline', { transaction });
}
