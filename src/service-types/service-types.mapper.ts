import { toMoney } from '../common/money';
import type { ServiceTypeDto } from './dto/service-type.dto';
import type { ServiceType } from './service-type.model';

export function toServiceTypeDto(type: ServiceType): ServiceTypeDto {
  return {
    id: type.id,
    name: type.name,
    baseFare: toMoney(type.baseFare),
    perMileRate: toMoney(type.perMileRate),
    perMinuteRate: toMoney(type.perMinuteRate),
    maxPassengers: type.maxPassengers,
    isActive: type.isActive,
  };
}
