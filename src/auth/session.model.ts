import type { CreationOptional, InferAttributes, InferCreationAttributes } from 'sequelize';
import {
  AllowNull,
  AutoIncrement,
  BelongsTo,
  Column,
  CreatedAt,
  DataType,
  ForeignKey,
  Model,
  PrimaryKey,
  Table,
  Unique,
  UpdatedAt,
} from 'sequelize-typescript';
import { User } from '../users/user.model';

/** One refresh token (stored as its SHA-256 hex digest) in a login's family. */
@Table({ tableName: 'Sessions' })
export class Session extends Model<InferAttributes<Session>, InferCreationAttributes<Session>> {
  @PrimaryKey
  @AutoIncrement
  @Column(DataType.INTEGER)
  declare id: CreationOptional<number>;

  @ForeignKey(() => User)
  @AllowNull(false)
  @Column(DataType.INTEGER)
  declare userId: number;

  @AllowNull(false)
  @Column(DataType.UUID)
  declare familyId: string;

  @Unique
  @AllowNull(false)
  @Column(DataType.CHAR(64))
  declare tokenHash: string;

  @AllowNull(false)
  @Column(DataType.DATE)
  declare expiresAt: Date;

  @Column(DataType.DATE)
  declare revokedAt: Date | null;

  @Column(DataType.STRING(32))
  declare revokedReason: string | null;

  @Column(DataType.DATE)
  declare lastUsedAt: Date | null;

  /** The session that replaced this one when it was rotated. */
  @Column(DataType.INTEGER)
  declare successorId: CreationOptional<number | null>;

  /**
   * The successor's token, sealed with a key derived from this session's token (see
   * successor-token.ts), during the reuse interval only; null otherwise.
   */
  @Column(DataType.TEXT)
  declare successorTokenCiphertext: CreationOptional<string | null>;

  @CreatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare createdAt: CreationOptional<Date>;

  @UpdatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare updatedAt: CreationOptional<Date>;

  @BelongsTo(() => User, { foreignKey: 'userId', onDelete: 'CASCADE', onUpdate: 'CASCADE' })
  declare user?: User;
}
