import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';

/** The tutorial's first table: users with a free-text role (replaced by Roles two migrations on). */
export async function up({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.createTable(
    'Users',
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      username: { type: DataTypes.STRING },
      password: { type: DataTypes.STRING },
      role: { type: DataTypes.STRING },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { transaction },
  );
}

export async function down({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.dropTable('Users', { transaction });
}
