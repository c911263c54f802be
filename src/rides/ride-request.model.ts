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
  UpdatedAt,
} from 'sequelize-typescript';
import { User } from '../users/user.model';

export const RIDE_STATUSES = [
  'REQUESTED',
  'ACCEPTED',
  'ARRIVING',
  'IN_PROGRESS',
  'COMPLETED',
  'CANCELLED',
] as const;
export type RideStatus = (typeof RIDE_STATUSES)[number];

/** The original server's ride class names (kept while rides move to service type ids). */
export const LEGACY_SERVICE_TYPES = ['SWIFTRIDE_X', 'SWIFTRIDE_BLACK', 'SWIFTRIDE_SUV'] as const;

@Table({ tableName: 'RideRequests' })
export class RideRequest extends Model<
  InferAttributes<RideRequest>,
  InferCreationAttributes<RideRequest>
> {
  @PrimaryKey
  @AutoIncrement
  @Column(DataType.INTEGER)
  declare id: CreationOptional<number>;

  @ForeignKey(() => User)
  @AllowNull(false)
  @Column(DataType.INTEGER)
  declare riderId: number;

  @ForeignKey(() => User)
  @Column(DataType.INTEGER)
  declare driverId: number | null;

  @AllowNull(false)
  @Column(DataType.DOUBLE)
  declare pickupLatitude: number;

  @AllowNull(false)
  @Column(DataType.DOUBLE)
  declare pickupLongitude: number;

  @AllowNull(false)
  @Column(DataType.STRING)
  declare pickupAddress: string;

  @AllowNull(false)
  @Column(DataType.DOUBLE)
  declare destinationLatitude: number;

  @AllowNull(false)
  @Column(DataType.DOUBLE)
  declare destinationLongitude: number;

  @AllowNull(false)
  @Column(DataType.STRING)
  declare destinationAddress: string;

  @AllowNull(false)
  @Default('REQUESTED')
  @Column(DataType.ENUM(...RIDE_STATUSES))
  declare status: CreationOptional<RideStatus>;

  @AllowNull(false)
  @Default('SWIFTRIDE_X')
  @Column(DataType.ENUM(...LEGACY_SERVICE_TYPES))
  declare serviceType: CreationOptional<(typeof LEGACY_SERVICE_TYPES)[number]>;

  @Column(DataType.DECIMAL(10, 2))
  declare estimatedFare: string | number | null;

  @CreatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare createdAt: CreationOptional<Date>;

  @UpdatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare updatedAt: CreationOptional<Date>;

  @BelongsTo(() => User, { as: 'rider', foreignKey: 'riderId', constraints: false })
  declare rider?: NonAttribute<User>;

  @BelongsTo(() => User, { as: 'driver', foreignKey: 'driverId', constraints: false })
  declare driver?: NonAttribute<User>;
}
