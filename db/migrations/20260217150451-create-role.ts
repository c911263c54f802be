import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';

export async function up({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.createTable(
    'Roles',
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      name: { type: DataTypes.STRING },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { transaction },
  );
}

export async function down({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.dropTable('Roles', { transaction });
}
