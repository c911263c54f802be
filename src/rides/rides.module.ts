import { Module } from '@nestjs/common';
import { SequelizeModule } from '@nestjs/sequelize';
import { DriversModule } from '../drivers/drivers.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ServiceTypesModule } from '../service-types/service-types.module';
import { DriverLocationsController } from './driver-locations.controller';
import { DriverLocationsService } from './driver-locations.service';
import { RideExpiryService } from './ride-expiry.service';
import { RideRequest } from './ride-request.model';
import { RideStore } from './ride.store';
import { RidesController } from './rides.controller';
import { RidesService } from './rides.service';

/** Ride requests, quotes, matching and the lifecycle. Owns the RideRequests table. */
@Module({
  imports: [
    SequelizeModule.forFeature([RideRequest]),
    ServiceTypesModule,
    DriversModule,
    RealtimeModule,
  ],
  controllers: [RidesController, DriverLocationsController],
  providers: [RideStore, RidesService, DriverLocationsService, RideExpiryService],
})
export class RidesModule {}
