/** The largest amount DECIMAL(10,2) holds. */
export const MAX_MONEY = 99_999_999.99;

/**
 * Money is DECIMAL(10,2) in PostgreSQL, which the driver returns as a string to keep it exact.
 * The API speaks JSON numbers (the iOS client decodes `Double`); this is the one conversion.
 */
export function toMoney(value: string | number): number {
  return Math.round(Number(value) * 100) / 100;
}
