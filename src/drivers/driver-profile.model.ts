import { DEFAULT_SERVICE_TYPE } from '../common/built-ins';
import type {
  CreationOptional,
  InferAttributes,
  InferCreationAttributes,
  NonAttribute,
} from 'sequelize';
import {
  AllowNull,
  AutoIncrement,
  BelongsTo,
  Column,
  CreatedAt,
  DataType,
  Default,
  ForeignKey,
  Model,
  PrimaryKey,
  Table,
  Unique,
  UpdatedAt,
} from 'sequelize-typescript';
import { ServiceType } from '../service-types/service-type.model';
import { User } from '../users/user.model';

/** A driver's vehicle, service type and online flag; one per driver user. */
@Table({ tableName: 'DriverProfiles' })
export class DriverProfile extends Model<
  InferAttributes<DriverProfile>,
  InferCreationAttributes<DriverProfile>
> {
  @PrimaryKey
  @AutoIncrement
  @Column(DataType.INTEGER)
  declare id: CreationOptional<number>;

  @ForeignKey(() => User)
  @Unique
  @AllowNull(false)
  @Column(DataType.INTEGER)
  declare userId: number;

  @AllowNull(false)
  @Column(DataType.STRING)
  declare make: string;

  @AllowNull(false)
  @Column(DataType.STRING)
  declare model: string;

  @AllowNull(false)
  @Column(DataType.STRING)
  declare licensePlate: string;

  @AllowNull(false)
  @Default(false)
  @Column(DataType.BOOLEAN)
  declare isOnline: CreationOptional<boolean>;

  @ForeignKey(() => ServiceType)
  @AllowNull(false)
  @Default(DEFAULT_SERVICE_TYPE.id)
  @Column(DataType.INTEGER)
  declare serviceTypeId: CreationOptional<number>;

  @Column(DataType.DOUBLE)
  declare latitude: CreationOptional<number | null>;

  @Column(DataType.DOUBLE)
  declare longitude: CreationOptional<number | null>;

  @Column(DataType.DATE)
  declare locationUpdatedAt: CreationOptional<Date | null>;

  @CreatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare createdAt: CreationOptional<Date>;

  @UpdatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare updatedAt: CreationOptional<Date>;

  @BelongsTo(() => User, {
    as: 'user',
    foreignKey: 'userId',
    onUpdate: 'CASCADE',
    onDelete: 'CASCADE',
  })
  declare user?: NonAttribute<User>;

  @BelongsTo(() => ServiceType, {
    as: 'serviceType',
    foreignKey: 'serviceTypeId',
    onUpdate: 'CASCADE',
    onDelete: 'RESTRICT',
  })
  declare serviceType?: NonAttribute<ServiceType>;
}
