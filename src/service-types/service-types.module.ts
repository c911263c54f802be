import { Module } from '@nestjs/common';
import { SequelizeModule } from '@nestjs/sequelize';
import { ServiceType } from './service-type.model';
import { ServiceTypeStore } from './service-type.store';
import { ServiceTypesController } from './service-types.controller';
import { ServiceTypesService } from './service-types.service';

/** Ride classes and their fares. Owns the ServiceTypes table. */
@Module({
  imports: [SequelizeModule.forFeature([ServiceType])],
  controllers: [ServiceTypesController],
  providers: [ServiceTypeStore, ServiceTypesService],
  exports: [ServiceTypesService],
})
export class ServiceTypesModule {}
