import { Module } from '@nestjs/common';
import { SequelizeModule } from '@nestjs/sequelize';
import { ServiceTypesModule } from '../service-types/service-types.module';
import { DriverProfile } from './driver-profile.model';
import { DriversController } from './drivers.controller';
import { DriversService } from './drivers.service';

@Module({
  imports: [SequelizeModule.forFeature([DriverProfile]), ServiceTypesModule],
  controllers: [DriversController],
  providers: [DriversService],
  exports: [DriversService],
})
export class DriversModule {}
