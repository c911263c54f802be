import { Session } from '../auth/session.model';
import { DriverProfile } from '../drivers/driver-profile.model';
import { RideOffer } from '../rides/ride-offer.model';
import { RideRequest } from '../rides/ride-request.model';
import { Role } from '../roles/role.model';
import { ServiceType } from '../service-types/service-type.model';
import { User } from '../users/user.model';

/** Every model the application registers. The schema test checks each against the migrated tables. */
export const MODELS = [Role, User, ServiceType, DriverProfile, RideRequest, RideOffer, Session];
