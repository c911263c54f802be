import { Module } from '@nestjs/common';
import { SequelizeModule } from '@nestjs/sequelize';
import { DriverProfile } from '../drivers/driver-profile.model';
import { DriversModule } from '../drivers/drivers.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ServiceType } from '../service-types/service-type.model';
import { ServiceTypesModule } from '../service-types/service-types.module';
import { RideExpiryService } from './ride-expiry.service';
import { RideRequest } from './ride-request.model';
import { RideStore } from './ride-store';
import { RidesController } from './rides.controller';
import { RidesService } from './rides.service';

@Module({
  imports: [
    SequelizeModule.forFeature([RideRequest, ServiceType, DriverProfile]),
    ServiceTypesModule,
    DriversModule,
    RealtimeModule,
  ],
  controllers: [RidesController],
  providers: [RideStore, RidesService, RideExpiryService],
})
export class RidesModule {}
