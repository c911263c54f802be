import { Module } from '@nestjs/common';
import { SequelizeModule } from '@nestjs/sequelize';
import { ServiceTypesModule } from '../service-types/service-types.module';
import { DriverProfile } from './driver-profile.model';
import { DriverProfileStore } from './driver-profile.store';
import { DriversController } from './drivers.controller';
import { DriversService } from './drivers.service';

/** Drivers' vehicles, online flags and positions. Owns the DriverProfiles table. */
@Module({
  imports: [SequelizeModule.forFeature([DriverProfile]), ServiceTypesModule],
  controllers: [DriversController],
  providers: [DriverProfileStore, DriversService],
  exports: [DriversService],
})
export class DriversModule {}
