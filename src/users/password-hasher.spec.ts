import { hashPassword, needsRehash, verifyPassword } from './password-hasher';

/** Runs `work` with NODE_ENV set as given, then restores it. */
async function under<T>(nodeEnv: string | undefined, work: () => Promise<T>): Promise<T> {
  const saved = process.env.NODE_ENV;
  const set = (value: string | undefined) => {
    if (value === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = value;
  };
  set(nodeEnv);
  try {
    return await work();
  } finally {
    set(saved);
  }
}

const parametersOf = (hash: string) => hash.split('$')[3].split(',').sort().join(',');

describe('password hashing', () => {
  it.each(['production', 'development', undefined])(
    'hashes with argon2id at 19 MiB, two passes, one lane when NODE_ENV is %s',
    async (nodeEnv) => {
      const hash = await under(nodeEnv, () => hashPassword('correct horse battery'));
      expect(hash).toMatch(/^\$argon2id\$v=19\$/);
      expect(parametersOf(hash)).toBe('m=19456,p=1,t=2');
      expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
      expect(await verifyPassword(hash, 'correct horse battery!')).toBe(false);
      expect(await under(nodeEnv, async () => needsRehash(hash))).toBe(false);
    },
  );

  it('hashes at the minimal cost under NODE_ENV=test, and production rehashes such a hash', async () => {
    const hash = await under('test', () => hashPassword('correct horse battery'));
    expect(hash).toMatch(/^\$argon2id\$v=19\$/);
    expect(parametersOf(hash)).toBe('m=8,p=1,t=1');
    expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
    expect(await under('test', async () => needsRehash(hash))).toBe(false);
    expect(await under('production', async () => needsRehash(hash))).toBe(true);
  });

  it('verifies a hash made under one NODE_ENV under any other', async () => {
    const production = await under('production', () => hashPassword('s3cret-enough'));
    expect(await under('test', () => verifyPassword(production, 's3cret-enough'))).toBe(true);
    expect(await under('test', async () => needsRehash(production))).toBe(true);
  });
});
