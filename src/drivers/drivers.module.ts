import { Module } from '@nestjs/common';
import { SequelizeModule } from '@nestjs/sequelize';
import { RealtimeModule } from '../realtime/realtime.module';
import { ServiceTypesModule } from '../service-types/service-types.module';
import { DriverLocationsService } from './driver-locations.service';
import { DriverProfile } from './driver-profile.model';
import { DriversController, NearbyDriversController } from './drivers.controller';
import { DriversService } from './drivers.service';

@Module({
  imports: [SequelizeModule.forFeature([DriverProfile]), ServiceTypesModule, RealtimeModule],
  controllers: [DriversController, NearbyDriversController],
  providers: [DriversService, DriverLocationsService],
  exports: [DriversService, DriverLocationsService],
})
export class DriversModule {}
