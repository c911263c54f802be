import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/sequelize';
import { literal, Op, type Transaction } from 'sequelize';
import { ServiceType } from './service-type.model';

export type ServiceTypeFields = Pick<
  ServiceType,
  'name' | 'baseFare' | 'perMileRate' | 'perMinuteRate' | 'maxPassengers' | 'isActive'
>;

/**
 * Active types with at least one online driver. EXISTS stops at the first online driver of each
 * type (served by the partial index on online drivers), so the cost does not grow with the number
 * of drivers online, and it is one statement.
 */
const HAS_ONLINE_DRIVER = literal(
  `EXISTS (SELECT 1 FROM "DriverProfiles" d WHERE d."serviceTypeId" = "ServiceType"."id" AND d."isOnline")`,
);

const BY_ID = [['id', 'ASC']] as [string, string][];

/** Every statement on the ServiceTypes table. */
@Injectable()
export class ServiceTypeStore {
  constructor(@InjectModel(ServiceType) private readonly types: typeof ServiceType) {}

  listAll(): Promise<ServiceType[]> {
    return this.types.findAll({ order: BY_ID });
  }

  listActiveWithOnlineDriver(): Promise<ServiceType[]> {
    return this.types.findAll({
      where: { isActive: true, [Op.and]: [HAS_ONLINE_DRIVER] },
      order: BY_ID,
    });
  }

  findById(id: number, transaction?: Transaction): Promise<ServiceType | null> {
    return this.types.findByPk(id, { transaction });
  }

  /** Locked until the transaction ends, so changes to its rates are checked one after another. */
  findByIdForUpdate(id: number, transaction: Transaction): Promise<ServiceType | null> {
    return this.types.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
  }

  insert(
    fields: Omit<ServiceTypeFields, 'isActive'> & { isActive?: boolean },
  ): Promise<ServiceType> {
    return this.types.create({ ...fields });
  }

  /** Whether the type existed. */
  async update(
    id: number,
    changes: Partial<ServiceTypeFields>,
    transaction?: Transaction,
  ): Promise<boolean> {
    const [updated] = await this.types.update(changes, { where: { id }, transaction });
    return updated > 0;
  }

  /** Whether the type existed. Throws the foreign-key error while drivers or rides use it. */
  async delete(id: number): Promise<boolean> {
    return (await this.types.destroy({ where: { id } })) > 0;
  }
}
