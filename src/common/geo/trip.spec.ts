import {
  EARTH_RADIUS_METERS,
  estimateTrip,
  fareFor,
  greatCircleMeters,
  largestRate,
  LONGEST_GREAT_CIRCLE_METERS,
  longestTrip,
  METERS_PER_MILE,
  pickupMinutes,
  type TripModel,
} from './trip';

/** The defaults of RIDE_ROAD_FACTOR and RIDE_AVERAGE_SPEED_MPH. */
const MODEL: TripModel = { roadFactor: 1.3, averageSpeedMph: 20 };

/** The reference service types' fares. */
const X = { baseFare: 2.5, perMileRate: 1.2, perMinuteRate: 0.25 };
const SUV = { baseFare: 5, perMileRate: 2, perMinuteRate: 0.35 };
const BLACK = { baseFare: 8, perMileRate: 3, perMinuteRate: 0.5 };

/** What a plain floating-point implementation would return: the trap the integer arithmetic avoids. */
function naiveFare(
  fares: { baseFare: number; perMileRate: number; perMinuteRate: number },
  miles: number,
  minutes: number,
): number {
  const fare = fares.baseFare + fares.perMileRate * miles + fares.perMinuteRate * minutes;
  return Math.round(fare * 100) / 100;
}

const ONE_DEGREE_METERS = (EARTH_RADIUS_METERS * Math.PI) / 180;

describe('greatCircleMeters', () => {
  it('uses the earthdistance sphere of radius 6378168 m', () => {
    expect(EARTH_RADIUS_METERS).toBe(6_378_168);
    expect(METERS_PER_MILE).toBe(1609.344);
  });

  it('measures one degree of latitude along a meridian as 6378168·π/180 m', () => {
    expect(
      greatCircleMeters({ latitude: 0, longitude: 0 }, { latitude: 1, longitude: 0 }),
    ).toBeCloseTo(ONE_DEGREE_METERS, 6);
    expect(
      greatCircleMeters({ latitude: 45, longitude: 10 }, { latitude: 46, longitude: 10 }),
    ).toBeCloseTo(ONE_DEGREE_METERS, 6);
    expect(
      greatCircleMeters({ latitude: -60, longitude: -120 }, { latitude: -61, longitude: -120 }),
    ).toBeCloseTo(ONE_DEGREE_METERS, 6);
  });

  it('measures one degree of longitude on the equator like one of latitude', () => {
    expect(
      greatCircleMeters({ latitude: 0, longitude: 179.5 }, { latitude: 0, longitude: -179.5 }),
    ).toBeCloseTo(ONE_DEGREE_METERS, 6);
  });

  it('measures a degree of longitude at 60° as about half a degree of latitude', () => {
    // Along the parallel it is exactly cos(60°) = 1/2 of a degree; the great circle is a hair shorter.
    const meters = greatCircleMeters(
      { latitude: 60, longitude: 0 },
      { latitude: 60, longitude: 1 },
    );
    expect(meters).toBeLessThan(ONE_DEGREE_METERS / 2);
    expect(meters).toBeGreaterThan((ONE_DEGREE_METERS / 2) * 0.9999);
  });

  it('measures a pole to the equator as a quarter of the circumference', () => {
    expect(
      greatCircleMeters({ latitude: 90, longitude: 0 }, { latitude: 0, longitude: 77 }),
    ).toBeCloseTo((Math.PI * EARTH_RADIUS_METERS) / 2, 4);
  });

  it('measures antipodes as half the circumference, without NaN', () => {
    const half = Math.PI * EARTH_RADIUS_METERS;
    expect(greatCircleMeters({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 })).toBe(
      half,
    );
    expect(
      greatCircleMeters({ latitude: 90, longitude: 0 }, { latitude: -90, longitude: 0 }),
    ).toBeCloseTo(half, 4);
    const sf = greatCircleMeters(
      { latitude: 37.7749, longitude: -122.4194 },
      { latitude: -37.7749, longitude: 57.5806 },
    );
    expect(Number.isNaN(sf)).toBe(false);
    expect(sf).toBeCloseTo(half, 0);
    expect(sf).toBeLessThanOrEqual(half);
  });

  it('is 0 between identical points and the same in both directions', () => {
    const sf = { latitude: 37.7749, longitude: -122.4194 };
    const oakland = { latitude: 37.8044, longitude: -122.2712 };
    expect(greatCircleMeters(sf, sf)).toBe(0);
    expect(greatCircleMeters(sf, oakland)).toBe(greatCircleMeters(oakland, sf));
  });
});

describe('estimateTrip', () => {
  it('turns great-circle meters into road miles (× road factor) and minutes at the average speed', () => {
    // 1609.344 m = 1 mile of crow flight = 1.3 road miles; 1.3 mi ÷ 20 mph = 0.065 h = 3.9 min.
    expect(estimateTrip(METERS_PER_MILE, MODEL)).toEqual({
      distanceMiles: 1.3,
      durationMinutes: 3.9,
    });
    // Road factor 1, 30 mph: 10 miles take 20 minutes.
    expect(estimateTrip(10 * METERS_PER_MILE, { roadFactor: 1, averageSpeedMph: 30 })).toEqual({
      distanceMiles: 10,
      durationMinutes: 20,
    });
  });

  it('rounds miles to hundredths, then derives minutes from the rounded miles', () => {
    // 1000 m = 0.621371… mi; × 1.3 = 0.807782… → 0.81 mi.
    // From 0.81 mi: 0.81 ÷ 20 × 60 = 2.43 min (from the unrounded 0.8078 it would be 2.42).
    const trip = estimateTrip(1000, MODEL);
    expect(trip).toEqual({ distanceMiles: 0.81, durationMinutes: 2.43 });
    expect(Math.round((1000 / METERS_PER_MILE) * 1.3 * 3 * 100) / 100).toBe(2.42);
  });

  it('rounds minutes to hundredths', () => {
    // 1 road mile at 7 mph: 60 ÷ 7 = 8.5714… → 8.57 min.
    expect(estimateTrip(METERS_PER_MILE, { roadFactor: 1, averageSpeedMph: 7 })).toEqual({
      distanceMiles: 1,
      durationMinutes: 8.57,
    });
  });

  it('gives exactly two decimals for any distance', () => {
    for (const meters of [1, 17.3, 999.99, 12_345.678, 4_000_000.1]) {
      const trip = estimateTrip(meters, MODEL);
      expect(Number.isInteger(Math.round(trip.distanceMiles * 100))).toBe(true);
      expect(trip.distanceMiles.toString()).toMatch(/^\d+(\.\d{1,2})?$/);
      expect(trip.durationMinutes.toString()).toMatch(/^\d+(\.\d{1,2})?$/);
    }
  });

  it('is zero for a trip of zero meters', () => {
    expect(estimateTrip(0, MODEL)).toEqual({ distanceMiles: 0, durationMinutes: 0 });
  });
});

describe('fareFor', () => {
  it('prices SwiftRide X: 2.50 + 1.20 × 10.31 + 0.25 × 30.93 = 22.6045 → 22.60', () => {
    // 2.50 + 12.372 + 7.7325 = 22.6045
    expect(fareFor(X, { distanceMiles: 10.31, durationMinutes: 30.93 })).toBe(22.6);
  });

  it('prices SwiftRide SUV: 5.00 + 2.00 × 10.31 + 0.35 × 30.93 = 36.4455 → 36.45', () => {
    // 5.00 + 20.62 + 10.8255 = 36.4455
    expect(fareFor(SUV, { distanceMiles: 10.31, durationMinutes: 30.93 })).toBe(36.45);
  });

  it('prices SwiftRide Black: 8.00 + 3.00 × 10.31 + 0.50 × 30.93 = 54.395 → 54.40', () => {
    // 8.00 + 30.93 + 15.465 = 54.395, an exact half cent: rounds up
    expect(fareFor(BLACK, { distanceMiles: 10.31, durationMinutes: 30.93 })).toBe(54.4);
  });

  it('is the base fare for a trip of zero miles and minutes', () => {
    expect(fareFor(X, { distanceMiles: 0, durationMinutes: 0 })).toBe(2.5);
    expect(fareFor(SUV, { distanceMiles: 0, durationMinutes: 0 })).toBe(5);
    expect(fareFor(BLACK, { distanceMiles: 0, durationMinutes: 0 })).toBe(8);
  });

  it.each([
    // [exact sum (written out), fares, miles, minutes, half-up to the cent]
    ['0.35 × 1.5 = 0.525', { baseFare: 0, perMileRate: 0.35, perMinuteRate: 0 }, 1.5, 0, 0.53],
    ['0.05 × 0.7 = 0.035', { baseFare: 0, perMileRate: 0.05, perMinuteRate: 0 }, 0.7, 0, 0.04],
    ['0.06 × 16.75 = 1.005', { baseFare: 0, perMileRate: 0.06, perMinuteRate: 0 }, 16.75, 0, 1.01],
    ['0.10 × 1.45 = 0.145', { baseFare: 0, perMileRate: 0.1, perMinuteRate: 0 }, 1.45, 0, 0.15],
    // The reference types on real estimates (minutes = miles × 3 at 20 mph):
    ['2.50 + 1.20 × 1.9 + 0.25 × 5.7 = 2.50 + 2.28 + 1.425 = 6.205', X, 1.9, 5.7, 6.21],
    ['2.50 + 1.20 × 3.5 + 0.25 × 10.5 = 2.50 + 4.20 + 2.625 = 9.325', X, 3.5, 10.5, 9.33],
    ['5.00 + 2.00 × 1.5 + 0.35 × 4.5 = 5.00 + 3.00 + 1.575 = 9.575', SUV, 1.5, 4.5, 9.58],
    ['5.00 + 2.00 × 8.5 + 0.35 × 25.5 = 5.00 + 17.00 + 8.925 = 30.925', SUV, 8.5, 25.5, 30.93],
    ['8.00 + 3.00 × 0.09 + 0.50 × 0.27 = 8.00 + 0.27 + 0.135 = 8.405', BLACK, 0.09, 0.27, 8.41],
  ])(
    'rounds a half cent up where floating point would round it down: %s',
    (_sum, fares, miles, minutes, expected) => {
      // The case is only a test of the rounding if naive floating point gets it wrong.
      expect(naiveFare(fares, miles, minutes)).toBe(Math.round((expected - 0.01) * 100) / 100);
      expect(fareFor(fares, { distanceMiles: miles, durationMinutes: minutes })).toBe(expected);
    },
  );

  it('rounds below half a cent down and above it up', () => {
    // 0.35 × 1.49 = 0.5215 → 0.52; 0.35 × 1.51 = 0.5285 → 0.53
    const fares = { baseFare: 0, perMileRate: 0.35, perMinuteRate: 0 };
    expect(fareFor(fares, { distanceMiles: 1.49, durationMinutes: 0 })).toBe(0.52);
    expect(fareFor(fares, { distanceMiles: 1.51, durationMinutes: 0 })).toBe(0.53);
    // 0.25 × 0.01 = 0.0025 → 0.00; 0.25 × 0.03 = 0.0075 → 0.01
    const perMinute = { baseFare: 0, perMileRate: 0, perMinuteRate: 0.25 };
    expect(fareFor(perMinute, { distanceMiles: 0, durationMinutes: 0.01 })).toBe(0);
    expect(fareFor(perMinute, { distanceMiles: 0, durationMinutes: 0.03 })).toBe(0.01);
  });

  it('accepts money as the DECIMAL strings PostgreSQL returns', () => {
    const asStrings = { baseFare: '2.50', perMileRate: '1.20', perMinuteRate: '0.25' };
    expect(fareFor(asStrings, { distanceMiles: 10.31, durationMinutes: 30.93 })).toBe(22.6);
    expect(fareFor(asStrings, { distanceMiles: 1.9, durationMinutes: 5.7 })).toBe(6.21);
    expect(
      fareFor(
        { baseFare: '0.00', perMileRate: '0.35', perMinuteRate: '0.00' },
        { distanceMiles: 1.5, durationMinutes: 0 },
      ),
    ).toBe(0.53);
    expect(
      fareFor(
        { baseFare: '99999999.99', perMileRate: '0', perMinuteRate: '0' },
        { distanceMiles: 0, durationMinutes: 0 },
      ),
    ).toBe(99_999_999.99);
  });

  it('returns at most two decimals, exactly as the cents it stands for', () => {
    for (let hundredths = 0; hundredths <= 3000; hundredths += 7) {
      const miles = hundredths / 100;
      const minutes = Math.round(miles * 3 * 100) / 100;
      const fare = fareFor(X, { distanceMiles: miles, durationMinutes: minutes });
      // In hundredths of a cent: 250·100 + 120·miles·100 + 25·minutes·100, then half-up to cents.
      const exact = 25_000 + 120 * hundredths + 25 * Math.round(minutes * 100);
      const cents = Math.floor((exact + 50) / 100);
      expect(fare).toBe(cents / 100);
    }
  });
});

describe('pickupMinutes', () => {
  it('is at least one minute, even for a driver at the pickup', () => {
    expect(pickupMinutes(0, MODEL)).toBe(1);
    expect(pickupMinutes(5, MODEL)).toBe(1);
  });

  it('rounds the drive up to whole minutes', () => {
    // 1000 m → 0.81 road miles → 2.43 min → 3
    expect(pickupMinutes(1000, MODEL)).toBe(3);
    // 1 mile → 1.3 road miles → 3.9 min → 4
    expect(pickupMinutes(METERS_PER_MILE, MODEL)).toBe(4);
    // 10 road miles at 30 mph = exactly 20 min → 20, not 21
    expect(pickupMinutes(10 * METERS_PER_MILE, { roadFactor: 1, averageSpeedMph: 30 })).toBe(20);
  });
});

describe('longestTrip', () => {
  it('is half the circumference, and no pair of valid coordinates is farther apart', () => {
    expect(LONGEST_GREAT_CIRCLE_METERS).toBeCloseTo(Math.PI * EARTH_RADIUS_METERS, 3);
    const corners = [-90, 0, 90].flatMap((latitude) =>
      [-180, -90, 0, 90, 180].map((longitude) => ({ latitude, longitude })),
    );
    for (const from of corners) {
      for (const to of corners) {
        expect(greatCircleMeters(from, to)).toBeLessThanOrEqual(LONGEST_GREAT_CIRCLE_METERS);
      }
    }
  });

  it('is that distance as road miles and minutes under the model', () => {
    // π × 6 378 168 m = 12 450.79 miles; × 1.3 = 16 186.03; ÷ 20 mph = 48 558.09 minutes.
    expect(longestTrip(MODEL)).toEqual({ distanceMiles: 16186.03, durationMinutes: 48558.09 });
  });
});

describe('largestRate', () => {
  const TRIP = { distanceMiles: 10, durationMinutes: 30 };

  it('is the largest value whose fare still rounds to the limit or less', () => {
    for (const field of ['baseFare', 'perMileRate', 'perMinuteRate'] as const) {
      const largest = largestRate(X, TRIP, field, 100);
      expect(fareFor({ ...X, [field]: largest }, TRIP)).toBeLessThanOrEqual(100);
      const over = Math.round(largest * 100 + 1) / 100;
      expect(fareFor({ ...X, [field]: over }, TRIP)).toBeGreaterThan(100);
    }
  });

  it('answers the limit less the other rates, per unit', () => {
    // 100 − 1.2 × 10 − 0.25 × 30 = 80.5
    expect(largestRate(X, TRIP, 'baseFare', 100)).toBe(80.5);
    // (100 − 2.5 − 7.5) ÷ 10 = 9
    expect(largestRate(X, TRIP, 'perMileRate', 100)).toBe(9);
  });

  it('is negative when the other rates alone exceed the limit', () => {
    expect(largestRate(X, TRIP, 'baseFare', 10)).toBeLessThan(0);
  });
});
