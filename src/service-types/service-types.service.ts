import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/sequelize';
import { literal, Op, type Transaction } from 'sequelize';
import { isStillReferenced } from '../common/errors/database-errors';
import { conflict, invalidInput, notFound } from '../common/errors/domain-error';
import { definedFields } from '../common/http/defined';
import type {
  CreateServiceTypeDto,
  ServiceTypeDto,
  UpdateServiceTypeDto,
} from './dto/service-type.dto';
import { ServiceType } from './service-type.model';
import { toServiceTypeDto } from './service-types.mapper';

/**
 * Active types with at least one online driver. EXISTS stops at the first online driver of each
 * type (served by the partial index on online drivers), so the cost does not grow with the number
 * of drivers online, and it is one statement.
 */
const HAS_ONLINE_DRIVER = literal(
  `EXISTS (SELECT 1 FROM "DriverProfiles" d WHERE d."serviceTypeId" = "ServiceType"."id" AND d."isOnline")`,
);

@Injectable()
export class ServiceTypesService {
  constructor(@InjectModel(ServiceType) private readonly types: typeof ServiceType) {}

  async listActive(): Promise<ServiceTypeDto[]> {
    const rows = await this.types.findAll({ where: { isActive: true }, order: [['id', 'ASC']] });
    return rows.map(toServiceTypeDto);
  }

  async listAvailable(): Promise<ServiceTypeDto[]> {
    const rows = await this.types.findAll({
      where: { isActive: true, [Op.and]: [HAS_ONLINE_DRIVER] },
      order: [['id', 'ASC']],
    });
    return rows.map(toServiceTypeDto);
  }

  async findById(id: number): Promise<ServiceTypeDto> {
    const type = await this.types.findByPk(id);
    if (!type) throw notFound('Service type', id);
    return toServiceTypeDto(type);
  }

  /** Throws 400 unless the id names an active service type (what drivers may choose). */
  async assertActive(id: number, transaction?: Transaction): Promise<void> {
    const type = await this.types.findByPk(id, { attributes: ['id', 'isActive'], transaction });
    if (!type?.isActive) {
      const message = `serviceTypeId ${id} is not an active service type`;
      throw invalidInput(message, [{ field: 'serviceTypeId', message }]);
    }
  }

  async create(dto: CreateServiceTypeDto): Promise<ServiceTypeDto> {
    const type = await this.types.create({ ...dto });
    return toServiceTypeDto(type);
  }

  async update(id: number, dto: UpdateServiceTypeDto): Promise<ServiceTypeDto> {
    const changes = definedFields(dto);
    if (Object.keys(changes).length > 0) {
      const [updated] = await this.types.update(changes, { where: { id } });
      if (updated === 0) throw notFound('Service type', id);
    }
    return this.findById(id);
  }

  /** Types that drivers (or rides) use cannot be deleted; deactivate them instead. */
  async remove(id: number): Promise<void> {
    try {
      const removed = await this.types.destroy({ where: { id } });
      if (removed === 0) throw notFound('Service type', id);
    } catch (error) {
      if (!isStillReferenced(error)) throw error;
      throw conflict(
        `Service type ${id} is still used by drivers or rides; set isActive to false instead`,
      );
    }
  }
}
