/**
 * Riders' ratings of a driver's rides: average (to hundredths) and count, served by the partial
 * index of rated rides. The one definition of a driver's rating, read by the driver's profile and
 * by every ride view; `driverId` is the SQL expression naming the driver.
 */
export function driverRatingSql(driverId: string): string {
  return `SELECT round(avg(x.rating), 2) AS average, count(x.rating)::int AS count
    FROM "RideRequests" x WHERE x."driverId" = ${driverId} AND x.rating IS NOT NULL`;
}
