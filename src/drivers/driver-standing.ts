import type { DriverStandingDto } from './dto/driver.dto';

/**
 * How a driver has answered the rides offered to them, as the driver's profile shows it. Offers
 * belong to the rides feature, which provides this (RidesModule, global for this one export);
 * declaring it here keeps drivers from depending on rides, as `LoginSessions` does for users.
 */
export abstract class DriverStanding {
  abstract of(driverId: number): Promise<DriverStandingDto>;
}
