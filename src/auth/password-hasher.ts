import * as argon2 from 'argon2';

/**
 * Password hashing, in one place. argon2id with OWASP's recommended parameters (19 MiB, two
 * passes, one lane); the native binding runs off the event loop.
 */
const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19 * 1024,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, ARGON2_OPTIONS);
}

/** False for a wrong password and for a stored value that is not a hash we know (e.g. `!`). */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  if (!hash.startsWith('$argon2')) return false;
  try {
    return await argon2.verify(hash, plain);
  } catch {
    return false;
  }
}
