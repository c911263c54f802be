import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../migration';

/**
 * Refresh-token sessions. Only a SHA-256 hash of each token is stored. A login starts a family;
 * rotating a token adds a row to the family and revokes the old one, so reuse of a revoked token
 * can revoke the whole family.
 */
export async function up({
  queryInterface,
  sequelize,
  transaction,
}: MigrationContext): Promise<void> {
  await queryInterface.createTable(
    'Sessions',
    {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true, allowNull: false },
      userId: {
        type: DataTypes.INTEGER,
        allowNull: false,
        references: { model: 'Users', key: 'id' },
        onUpdate: 'CASCADE',
        onDelete: 'CASCADE',
      },
      familyId: { type: DataTypes.UUID, allowNull: false },
      tokenHash: { type: DataTypes.CHAR(64), allowNull: false, unique: true },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      revokedAt: { type: DataTypes.DATE },
      revokedReason: { type: DataTypes.STRING(32) },
      lastUsedAt: { type: DataTypes.DATE },
      createdAt: { type: DataTypes.DATE, allowNull: false },
      updatedAt: { type: DataTypes.DATE, allowNull: false },
    },
    { transaction },
  );
  await sequelize.query(`CREATE INDEX "Sessions_userId_idx" ON "Sessions" ("userId")`, {
    transaction,
  });
  await sequelize.query(`CREATE INDEX "Sessions_familyId_idx" ON "Sessions" ("familyId")`, {
    transaction,
  });
}

export async function down({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.dropTable('Sessions', { transaction });
}
