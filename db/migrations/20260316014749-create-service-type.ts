import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';

/** Ride classes and their fares (the original server's table). */
export async function up({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.createTable(
    'ServiceTypes',
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      name: { type: DataTypes.STRING, allowNull: false },
      baseFare: { type: DataTypes.DECIMAL(10, 2), allowNull: false },
      perMileRate: { type: DataTypes.DECIMAL(10, 2), allowNull: false },
      perMinuteRate: { type: DataTypes.DECIMAL(10, 2), allowNull: false },
      maxPassengers: { type: DataTypes.INTEGER, allowNull: false },
      isActive: { type: DataTypes.BOOLEAN, defaultValue: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { transaction },
  );
}

export async function down({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.dropTable('ServiceTypes', { transaction });
}
