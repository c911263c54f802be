import { Global, Module } from '@nestjs/common';
import { SequelizeModule } from '@nestjs/sequelize';
import { DriverStanding } from '../drivers/driver-standing';
import { DriversModule } from '../drivers/drivers.module';
import { RealtimeModule } from '../realtime/realtime.module';
import { ServiceTypesModule } from '../service-types/service-types.module';
import { DriverLocationsController } from './driver-locations.controller';
import { DriverLocationsService } from './driver-locations.service';
import { RideExpiryService } from './ride-expiry.service';
import { Dispatcher } from './dispatch/dispatcher';
import { DriverStandingService } from './driver-standing.service';
import { DispatchLoop } from './dispatch/dispatch-loop';
import { RideOffer } from './ride-offer.model';
import { RideOfferStore } from './ride-offer.store';
import { RideRequest } from './ride-request.model';
import { RideStore } from './ride.store';
import { RidesController } from './rides.controller';
import { RidesService } from './rides.service';

/**
 * Ride requests, quotes, matching and the lifecycle. Owns the RideRequests and RideOffers tables.
 * Global, so that the drivers feature receives DriverStanding without importing rides.
 */
@Global()
@Module({
  imports: [
    SequelizeModule.forFeature([RideRequest, RideOffer]),
    ServiceTypesModule,
    DriversModule,
    RealtimeModule,
  ],
  controllers: [RidesController, DriverLocationsController],
  providers: [
    RideStore,
    RideOfferStore,
    RidesService,
    DriverLocationsService,
    RideExpiryService,
    Dispatcher,
    DispatchLoop,
    DriverStandingService,
    { provide: DriverStanding, useExisting: DriverStandingService },
  ],
  exports: [DriverStanding],
})
export class RidesModule {}
