import type { ServiceTypeDto } from '../service-types/dto/service-type.dto';
import type { RatedDriverProfile } from './driver-profile.store';
import type { DriverProfileDto } from './dto/driver.dto';

export function toDriverProfileDto(
  profile: RatedDriverProfile,
  serviceType: ServiceTypeDto,
): DriverProfileDto {
  return {
    id: profile.id,
    userId: profile.userId,
    make: profile.make,
    model: profile.model,
    licensePlate: profile.licensePlate,
    isOnline: profile.isOnline,
    serviceTypeId: profile.serviceTypeId,
    serviceType,
    location:
      profile.latitude !== null && profile.longitude !== null && profile.locationUpdatedAt
        ? {
            latitude: profile.latitude,
            longitude: profile.longitude,
            updatedAt: profile.locationUpdatedAt,
          }
        : null,
    rating: profile.rating,
  };
}
