import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';

/** The original server's driver profiles: one per driver user, with the vehicle. */
export async function up({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.createTable(
    'DriverProfiles',
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      userId: {
        type: DataTypes.INTEGER,
        allowNull: false,
        unique: true,
        references: { model: 'Users', key: 'id' },
        onUpdate: 'CASCADE',
        onDelete: 'CASCADE',
      },
      make: { type: DataTypes.STRING },
      model: { type: DataTypes.STRING },
      licensePlate: { type: DataTypes.STRING, unique: true },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { transaction },
  );
}

export async function down({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.dropTable('DriverProfiles', { transaction });
}
