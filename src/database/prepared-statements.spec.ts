import { toPositional } from './prepared-statements';

describe('toPositional', () => {
  it('numbers replacements by first use and gives a name used twice one parameter', () => {
    expect(toPositional('SELECT 1 WHERE a = :rideId AND (b = :callerId OR c = :rideId)')).toEqual({
      text: 'SELECT 1 WHERE a = $1 AND (b = $2 OR c = $1)',
      order: ['rideId', 'callerId'],
    });
  });

  it('leaves casts, string literals and quoted identifiers as they are', () => {
    const sql = `SELECT count(*)::int, '00:02:00'::interval, 'it''s :not' AS ":x", :value::float8`;
    expect(toPositional(sql)).toEqual({
      text: `SELECT count(*)::int, '00:02:00'::interval, 'it''s :not' AS ":x", $1::float8`,
      order: ['value'],
    });
  });
});
