import { Injectable } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { notFound } from '../common/errors/domain-error';
import { definedFields } from '../common/http/defined';
import { ServiceType } from '../service-types/service-type.model';
import { ServiceTypesService } from '../service-types/service-types.service';
import { DriverProfile } from './driver-profile.model';
import { driverRatingOf } from './driver-rating';
import type { DriverProfileDto, UpdateVehicleDto } from './dto/driver.dto';
import { toDriverProfileDto } from './drivers.mapper';

const noProfile = (userId: number) => notFound('Driver profile of user', userId);

@Injectable()
export class DriversService {
  constructor(
    @InjectModel(DriverProfile) private readonly profiles: typeof DriverProfile,
    @InjectConnection() private readonly sequelize: Sequelize,
    private readonly serviceTypes: ServiceTypesService,
  ) {}

  async findByUser(userId: number): Promise<DriverProfileDto> {
    const [profile, rating] = await Promise.all([
      this.profiles.findOne({
        where: { userId },
        include: [{ model: ServiceType, as: 'serviceType' }],
      }),
      driverRatingOf(this.sequelize, userId),
    ]);
    if (!profile) throw noProfile(userId);
    return toDriverProfileDto(profile, rating);
  }

  async setOnline(userId: number, isOnline: boolean): Promise<void> {
    const [updated] = await this.profiles.update({ isOnline }, { where: { userId } });
    if (updated === 0) throw noProfile(userId);
  }

  /** A new service type must be active; the check and the change share one transaction. */
  async updateVehicle(userId: number, dto: UpdateVehicleDto): Promise<DriverProfileDto> {
    const changes = definedFields(dto);
    if (Object.keys(changes).length === 0) return this.findByUser(userId);
    await this.sequelize.transaction(async (transaction) => {
      if (changes.serviceTypeId !== undefined) {
        await this.serviceTypes.assertActive(changes.serviceTypeId, transaction);
      }
      const [updated] = await this.profiles.update(changes, { where: { userId }, transaction });
      if (updated === 0) throw noProfile(userId);
    });
    return this.findByUser(userId);
  }
}
