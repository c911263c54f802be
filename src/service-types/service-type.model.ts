import type { CreationOptional, InferAttributes, InferCreationAttributes } from 'sequelize';
import {
  AllowNull,
  AutoIncrement,
  Column,
  CreatedAt,
  DataType,
  Default,
  Model,
  PrimaryKey,
  Table,
  UpdatedAt,
} from 'sequelize-typescript';

/** A ride class and its fares. Money columns are DECIMAL(10,2): read as strings, see common/money. */
@Table({ tableName: 'ServiceTypes' })
export class ServiceType extends Model<
  InferAttributes<ServiceType>,
  InferCreationAttributes<ServiceType>
> {
  @PrimaryKey
  @AutoIncrement
  @Column(DataType.INTEGER)
  declare id: CreationOptional<number>;

  @AllowNull(false)
  @Column(DataType.STRING)
  declare name: string;

  @AllowNull(false)
  @Column(DataType.DECIMAL(10, 2))
  declare baseFare: string | number;

  @AllowNull(false)
  @Column(DataType.DECIMAL(10, 2))
  declare perMileRate: string | number;

  @AllowNull(false)
  @Column(DataType.DECIMAL(10, 2))
  declare perMinuteRate: string | number;

  @AllowNull(false)
  @Column(DataType.INTEGER)
  declare maxPassengers: number;

  @AllowNull(false)
  @Default(true)
  @Column(DataType.BOOLEAN)
  declare isActive: CreationOptional<boolean>;

  @CreatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare createdAt: CreationOptional<Date>;

  @UpdatedAt
  @AllowNull(false)
  @Column(DataType.DATE)
  declare updatedAt: CreationOptional<Date>;
}
