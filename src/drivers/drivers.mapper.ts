import { toServiceTypeDto } from '../service-types/service-types.mapper';
import type { DriverProfile } from './driver-profile.model';
import type { DriverProfileDto } from './dto/driver.dto';

export function toDriverProfileDto(profile: DriverProfile): DriverProfileDto {
  return {
    id: profile.id,
    userId: profile.userId,
    make: profile.make,
    model: profile.model,
    licensePlate: profile.licensePlate,
    isOnline: profile.isOnline,
    serviceTypeId: profile.serviceTypeId,
    serviceType: toServiceTypeDto(profile.serviceType!),
  };
}
