import { Injectable } from '@nestjs/common';
import type { Transaction } from 'sequelize';
import {
  DEFAULT_SERVICE_TYPE,
  LEGACY_SERVICE_TYPE_NAMES,
  type LegacyServiceType,
} from '../common/built-ins';
import { isStillReferenced } from '../common/errors/database-errors';
import { conflict, invalidInput, notFound } from '../common/errors/domain-error';
import { definedFields } from '../common/http/defined';
import type {
  CreateServiceTypeDto,
  ServiceTypeDto,
  UpdateServiceTypeDto,
} from './dto/service-type.dto';
import { ServiceTypeStore } from './service-type.store';
import { toServiceTypeDto } from './service-types.mapper';

@Injectable()
export class ServiceTypesService {
  constructor(private readonly types: ServiceTypeStore) {}

  async listActive(): Promise<ServiceTypeDto[]> {
    return (await this.types.listActive()).map(toServiceTypeDto);
  }

  async listAvailable(): Promise<ServiceTypeDto[]> {
    return (await this.types.listActiveWithOnlineDriver()).map(toServiceTypeDto);
  }

  async findById(id: number): Promise<ServiceTypeDto> {
    const type = await this.types.findById(id);
    if (!type) throw notFound('Service type', id);
    return toServiceTypeDto(type);
  }

  /**
   * The type a client chose by id or by the original server's name, or the default when it chose
   * none: "SwiftRide X" while it is active (by name: an adopted database may hold it under another
   * id), else the first active type. 400 for a choice that is not active, 409 when none is.
   */
  async findForRide(choice: {
    serviceTypeId?: number;
    serviceType?: LegacyServiceType;
  }): Promise<ServiceTypeDto> {
    if (choice.serviceTypeId !== undefined || choice.serviceType !== undefined) {
      const type =
        choice.serviceTypeId !== undefined
          ? await this.types.findActiveById(choice.serviceTypeId)
          : await this.types.findActiveByName(LEGACY_SERVICE_TYPE_NAMES[choice.serviceType!]);
      if (type) return toServiceTypeDto(type);
      const field = choice.serviceTypeId !== undefined ? 'serviceTypeId' : 'serviceType';
      const message = `${field} ${choice.serviceTypeId ?? choice.serviceType} is not an active service type`;
      throw invalidInput(message, [{ field, message }]);
    }
    const type =
      (await this.types.findActiveByName(DEFAULT_SERVICE_TYPE.name)) ??
      (await this.types.findFirstActive());
    if (!type) throw conflict('No service type is active; rides cannot be requested right now');
    return toServiceTypeDto(type);
  }

  /** Throws 400 unless the id names an active service type (what drivers may choose). */
  async assertActive(id: number, transaction?: Transaction): Promise<void> {
    const type = await this.types.findById(id, transaction);
    if (!type?.isActive) {
      const message = `serviceTypeId ${id} is not an active service type`;
      throw invalidInput(message, [{ field: 'serviceTypeId', message }]);
    }
  }

  async create(dto: CreateServiceTypeDto): Promise<ServiceTypeDto> {
    const type = await this.types.insert(dto);
    return toServiceTypeDto(type);
  }

  async update(id: number, dto: UpdateServiceTypeDto): Promise<ServiceTypeDto> {
    const changes = definedFields(dto);
    if (Object.keys(changes).length > 0) {
      if (!(await this.types.update(id, changes))) throw notFound('Service type', id);
    }
    return this.findById(id);
  }

  /** Types that drivers (or rides) use cannot be deleted; deactivate them instead. */
  async remove(id: number): Promise<void> {
    try {
      if (!(await this.types.delete(id))) throw notFound('Service type', id);
    } catch (error) {
      if (!isStillReferenced(error)) throw error;
      throw conflict(
        `Service type ${id} is still used by drivers or rides; set isActive to false instead`,
      );
    }
  }
}
