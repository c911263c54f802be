import { Injectable } from '@nestjs/common';
import { DriverStanding } from '../drivers/driver-standing';
import type { DriverStandingDto } from '../drivers/dto/driver.dto';
import { RideOfferStore } from './ride-offer.store';

/** Over this many days, a driver's answers to offers make their standing. */
export const STANDING_WINDOW_DAYS = 30;

const rate = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;

/** The drivers feature's DriverStanding, from the offers this feature keeps. */
@Injectable()
export class DriverStandingService extends DriverStanding {
  constructor(private readonly offers: RideOfferStore) {
    super();
  }

  async of(driverId: number): Promise<DriverStandingDto> {
    const counts = await this.offers.countStanding(driverId, STANDING_WINDOW_DAYS);
    return {
      windowDays: STANDING_WINDOW_DAYS,
      ...counts,
      acceptanceRate: rate(counts.accepted, counts.offers),
      releaseRate: rate(counts.releases, counts.accepted),
    };
  }
}
