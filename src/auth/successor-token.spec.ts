import { openSuccessor, sealSuccessor } from './successor-token';

describe('successor tokens', () => {
  const predecessor = 'predecessor-token-0123456789abcdefghijklmnopq';
  const successor = 'successor-token-0123456789abcdefghijklmnopqrs';

  it('opens with the token and session it was sealed for', () => {
    const sealed = sealSuccessor(predecessor, 7, successor);
    expect(sealed).not.toContain(successor);
    expect(openSuccessor(predecessor, 7, sealed)).toBe(successor);
  });

  it('does not open with another token, for another session, or once altered', () => {
    const sealed = sealSuccessor(predecessor, 7, successor);
    expect(openSuccessor(`${predecessor}x`, 7, sealed)).toBeUndefined();
    expect(openSuccessor(predecessor, 8, sealed)).toBeUndefined();
    const altered = Buffer.from(sealed, 'base64url');
    altered[altered.length - 1] ^= 1;
    expect(openSuccessor(predecessor, 7, altered.toString('base64url'))).toBeUndefined();
    expect(openSuccessor(predecessor, 7, 'short')).toBeUndefined();
  });
});
