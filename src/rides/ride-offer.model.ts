import type { CreationOptional, InferAttributes, InferCreationAttributes } from 'sequelize';
import {
  AllowNull,
  AutoIncrement,
  Column,
  DataType,
  Default,
  ForeignKey,
  Model,
  PrimaryKey,
  Table,
} from 'sequelize-typescript';
import { User } from '../users/user.model';
import { RideRequest } from './ride-request.model';

/**
 * How an offer stands: `live` until the driver accepts or declines it, it expires, or it is
 * withdrawn (someone else took the ride, or the ride ended); an accepted offer becomes `released`
 * when its driver gives the ride back.
 */
export const OFFER_STATUSES = [
  'live',
  'accepted',
  'declined',
  'expired',
  'withdrawn',
  'released',
] as const;
export type OfferStatus = (typeof OFFER_STATUSES)[number];

/** One ride offered to one driver in ranked dispatch (see src/rides/dispatch). */
@Table({ tableName: 'RideOffers', timestamps: false })
export class RideOffer extends Model<
  InferAttributes<RideOffer>,
  InferCreationAttributes<RideOffer>
> {
  @PrimaryKey
  @AutoIncrement
  @Column(DataType.INTEGER)
  declare id: CreationOptional<number>;

  @ForeignKey(() => RideRequest)
  @AllowNull(false)
  @Column(DataType.INTEGER)
  declare rideId: number;

  @ForeignKey(() => User)
  @AllowNull(false)
  @Column(DataType.INTEGER)
  declare driverId: number;

  /** Which of the ride's batches it went out in, from 1. */
  @AllowNull(false)
  @Column(DataType.SMALLINT)
  declare batch: number;

  @AllowNull(false)
  @Default('live')
  @Column(DataType.STRING(16))
  declare status: CreationOptional<OfferStatus>;

  /** From the driver's position to the pickup when offered. */
  @AllowNull(false)
  @Column(DataType.DOUBLE)
  declare distanceMeters: number;

  @AllowNull(false)
  @Column(DataType.DATE)
  declare offeredAt: Date;

  @AllowNull(false)
  @Column(DataType.DATE)
  declare expiresAt: Date;

  @Column(DataType.DATE)
  declare endedAt: CreationOptional<Date | null>;
}
