import { QueryTypes } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import type { DriverRatingDto } from './dto/location.dto';

/** Riders' ratings of a driver's rides: average (to hundredths) and count, from the rated-rides index. */
export async function driverRatingOf(
  sequelize: Sequelize,
  userId: number,
): Promise<DriverRatingDto> {
  const [rating] = await sequelize.query<{ average: string | null; count: number }>(
    `SELECT round(avg(rating), 2) AS average, count(rating)::int AS count
     FROM "RideRequests" WHERE "driverId" = :userId AND rating IS NOT NULL`,
    { replacements: { userId }, type: QueryTypes.SELECT },
  );
  return { average: rating.average === null ? null : Number(rating.average), count: rating.count };
}
