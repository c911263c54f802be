import * as argon2 from 'argon2';
import * as bcrypt from 'bcryptjs';
import { type PasswordHashCost, passwordHashCost } from '../config/password-hashing';

/**
 * Password hashing, in one place. argon2id with OWASP's recommended parameters (19 MiB, two
 * passes, one lane); the native binding runs off the event loop. bcrypt hashes from the original
 * server still verify, and `needsRehash` says when to replace them.
 */
const ARGON2_PARAMETERS: Record<PasswordHashCost, argon2.HashOptions> = {
  owasp: { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 },
  /** Tests only (see passwordHashCost): 8 KiB, one pass. */
  minimal: { type: argon2.argon2id, memoryCost: 8, timeCost: 1, parallelism: 1 },
};

const argon2Options = () => ARGON2_PARAMETERS[passwordHashCost()];

const BCRYPT_HASH = /^\$2[aby]\$\d\d\$/;

let inFlight = 0;

/**
 * Hashes and verifications started and not yet finished in this process: running on, or queued
 * for, the thread pool (argon2) or the event loop (bcryptjs). A login queue shows here first.
 */
export const passwordHashesInFlight = (): number => inFlight;

async function counted<T>(work: () => Promise<T>): Promise<T> {
  inFlight += 1;
  try {
    return await work();
  } finally {
    inFlight -= 1;
  }
}

export function hashPassword(plain: string): Promise<string> {
  return counted(() => argon2.hash(plain, argon2Options()));
}

/** False for a wrong password and for a stored value that is not a hash we know (e.g. `!`). */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    if (hash.startsWith('$argon2')) return await counted(() => argon2.verify(hash, plain));
    if (BCRYPT_HASH.test(hash)) return await counted(() => bcrypt.compare(plain, hash));
    return false;
  } catch {
    return false;
  }
}

/** A hash written by the original server (bcrypt). */
export function isLegacyHash(hash: string): boolean {
  return BCRYPT_HASH.test(hash);
}

/** True for hashes made otherwise than with this environment's argon2id parameters. */
export function needsRehash(hash: string): boolean {
  return !hash.startsWith('$argon2') || argon2.needsRehash(hash, argon2Options());
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies against a throwaway hash, so that "no such user" takes as long as "wrong password" and
 * response times do not reveal which usernames exist.
 */
export async function verifyAgainstDummy(plain: string): Promise<false> {
  dummyHash ??= hashPassword('swiftride-timing-equaliser');
  await verifyPassword(await dummyHash, plain);
  return false;
}
