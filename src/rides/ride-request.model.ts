import {
  type CreationOptional,
  fn,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
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
import { ServiceType } from '../service-types/service-type.model';
import { User } from '../users/user.model';

import { RIDE_STATUSES, type RideStatus } from '../common/ride-statuses';

// Defined in common/ so that drivers can tell a ride under way without depending on rides.
export {
  ACTIVE_STATUSES,
  ASSIGNED_STATUSES,
  RIDE_STATUSES,
  type RideStatus,
} from '../common/ride-statuses';

export const CANCELLERS = ['rider', 'driver', 'admin', 'system'] as const;
export type Canceller = (typeof CANCELLERS)[number];

/**
 * A ride from request to completion or cancellation. Money and estimates are DECIMAL(10,2): read
 * as strings, converted once in the mapper.
 */
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

  @ForeignKey(() => ServiceType)
  @AllowNull(false)
  @Column(DataType.INTEGER)
  declare serviceTypeId: number;

  @Column(DataType.DECIMAL(10, 2))
  declare estimatedDistanceMiles: string | number | null;

  @Column(DataType.DECIMAL(10, 2))
  declare estimatedDurationMinutes: string | number | null;

  @Column(DataType.DECIMAL(10, 2))
  declare estimatedFare: string | number | null;

  @Column(DataType.DECIMAL(10, 2))
  declare finalFare: CreationOptional<string | number | null>;

  /**
   * When the ride last entered REQUESTED; the unanswered-request timer runs from here. Set by the
   * database (its default, and clock_timestamp() on release), the clock every step is stamped by.
   */
  @AllowNull(false)
  @Default(fn('now'))
  @Column(DataType.DATE)
  declare requestedAt: CreationOptional<Date>;

  @Column(DataType.DATE)
  declare acceptedAt: CreationOptional<Date | null>;

  @Column(DataType.DATE)
  declare arrivingAt: CreationOptional<Date | null>;

  @Column(DataType.DATE)
  declare startedAt: CreationOptional<Date | null>;

  @Column(DataType.DATE)
  declare completedAt: CreationOptional<Date | null>;

  @Column(DataType.DATE)
  declare cancelledAt: CreationOptional<Date | null>;

  @Column(DataType.STRING(16))
  declare cancelledBy: CreationOptional<Canceller | null>;

  @Column(DataType.STRING)
  declare cancelReason: CreationOptional<string | null>;

  @Column(DataType.DATE)
  declare releasedAt: CreationOptional<Date | null>;

  @Column(DataType.STRING)
  declare releaseReason: CreationOptional<string | null>;

  @Column(DataType.SMALLINT)
  declare rating: CreationOptional<number | null>;

  @Column(DataType.STRING(500))
  declare ratingComment: CreationOptional<string | null>;

  @Column(DataType.DATE)
  declare ratedAt: CreationOptional<Date | null>;

  /** Ranked dispatch: the radius step (index into DISPATCH_RADIUS_STEPS_KM) reached. */
  @AllowNull(false)
  @Default(0)
  @Column(DataType.SMALLINT)
  declare dispatchStep: CreationOptional<number>;

  /** Ranked dispatch: batches of offers sent since the ride (last) entered REQUESTED. */
  @AllowNull(false)
  @Default(0)
  @Column(DataType.SMALLINT)
  declare dispatchBatch: CreationOptional<number>;

  @CreatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare createdAt: CreationOptional<Date>;

  @UpdatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare updatedAt: CreationOptional<Date>;

  @BelongsTo(() => User, {
    as: 'rider',
    foreignKey: 'riderId',
    onUpdate: 'CASCADE',
    onDelete: 'RESTRICT',
  })
  declare rider?: NonAttribute<User>;

  @BelongsTo(() => User, {
    as: 'driver',
    foreignKey: 'driverId',
    onUpdate: 'CASCADE',
    onDelete: 'RESTRICT',
  })
  declare driver?: NonAttribute<User>;

  @BelongsTo(() => ServiceType, {
    as: 'serviceType',
    foreignKey: 'serviceTypeId',
    onUpdate: 'CASCADE',
    onDelete: 'RESTRICT',
  })
  declare serviceType?: NonAttribute<ServiceType>;
}
