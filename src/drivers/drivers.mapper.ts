import { toServiceTypeDto } from '../service-types/service-types.mapper';
import type { DriverProfile } from './driver-profile.model';
import type { DriverProfileDto } from './dto/driver.dto';

export function toDriverProfileDto(
  profile: DriverProfile,
  rating: DriverProfileDto['rating'],
): DriverProfileDto {
  return {
    id: profile.id,
    userId: profile.userId,
    make: profile.make,
    model: profile.model,
    licensePlate: profile.licensePlate,
    isOnline: profile.isOnline,
    serviceTypeId: profile.serviceTypeId,
    serviceType: toServiceTypeDto(profile.serviceType!),
    location:
      profile.latitude !== null && profile.longitude !== null && profile.locationUpdatedAt
        ? {
            latitude: profile.latitude,
            longitude: profile.longitude,
            updatedAt: profile.locationUpdatedAt,
          }
        : null,
    rating,
  };
}
