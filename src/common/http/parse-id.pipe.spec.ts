import { DomainError } from '../errors/domain-error';
import { ParseIdPipe } from './parse-id.pipe';

describe('ParseIdPipe', () => {
  const pipe = new ParseIdPipe();
  const parse = (value: string) => pipe.transform(value, { type: 'param', data: 'id' });

  it('accepts positive 32-bit integers', () => {
    expect(parse('1')).toBe(1);
    expect(parse('2147483647')).toBe(2147483647);
  });

  it.each(['0', '-1', 'abc', '1.5', '01', '1e3', ' 1', '2147483648', '99999999999', ''])(
    'refuses %p as an id with a 400-class error naming the parameter',
    (value) => {
      expect(() => parse(value)).toThrow(DomainError);
      expect(() => parse(value)).toThrow('id must be a positive integer');
    },
  );
});
