import { escapeLike } from './like';

describe('escapeLike', () => {
  it('makes %, _ and backslash match literally', () => {
    expect(escapeLike('100%_a\\b')).toBe('100\\%\\_a\\\\b');
  });

  it('leaves ordinary text alone', () => {
    expect(escapeLike('ann.lee-2')).toBe('ann.lee-2');
  });
});
