import * as argon2 from 'argon2';
import * as bcrypt from 'bcryptjs';
import { Injectable } from '@nestjs/common';
import { clientGone } from '../common/logging/request-context';
import { type PasswordHashCost, passwordHashCost } from '../config/password-hashing';
import { HashingGate } from './hashing-gate';

/**
 * Password hashing, in one place. argon2id with OWASP's recommended parameters (19 MiB, two
 * passes, one lane); the native binding runs on libuv's thread pool. bcrypt hashes from the original
 * server still verify, and `needsRehash` says when to replace them.
 */
const ARGON2_PARAMETERS: Record<PasswordHashCost, argon2.HashOptions> = {
  owasp: { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 },
  /** Tests only (see passwordHashCost): 8 KiB, one pass. */
  minimal: { type: argon2.argon2id, memoryCost: 8, timeCost: 1, parallelism: 1 },
};

const argon2Options = () => ARGON2_PARAMETERS[passwordHashCost()];

const BCRYPT_HASH = /^\$2[aby]\$\d\d\$/;

/** Ungated: for seeders and tests. The API hashes through PasswordHasher. */
export function hashPassword(plain: string): Promise<string> {
  return argon2.hash(plain, argon2Options());
}

/** False for a wrong password and for a stored value that is not a hash we know (e.g. `!`). */
export async function verifyPassword(hash: string, plain: string): Promise<boolean> {
  try {
    if (hash.startsWith('$argon2')) return await argon2.verify(hash, plain);
    if (BCRYPT_HASH.test(hash)) return await bcrypt.compare(plain, hash);
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

/** Whether verifying against `hash` means hashing at all (`!` and the like never match). */
function isHash(hash: string): boolean {
  return hash.startsWith('$argon2') || BCRYPT_HASH.test(hash);
}

/**
 * Hashing as the API does it: through the app's HashingGate, so that sign-ins never hold more
 * cores than HASH_CONCURRENCY, and past its queue are refused (BusyError, 503) before any work.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(private readonly gate: HashingGate) {}

  hash(plain: string): Promise<string> {
    return this.gate.run(() => hashPassword(plain), clientGone());
  }

  /** False for a wrong password and for a stored value that is not a hash we know (e.g. `!`). */
  verify(hash: string, plain: string): Promise<boolean> {
    if (!isHash(hash)) return Promise.resolve(false);
    return this.gate.run(() => verifyPassword(hash, plain), clientGone());
  }

  /**
   * Verifies against a throwaway hash, so that "no such user" takes as long as "wrong password" and
   * response times do not reveal which usernames exist.
   */
  async verifyAgainstDummy(plain: string): Promise<false> {
    this.dummyHash ??= this.hash('swiftride-timing-equaliser');
    // A refused first attempt must not leave every later one refused too.
    const dummy = await this.dummyHash.catch((error: unknown) => {
      this.dummyHash = undefined;
      throw error;
    });
    await this.verify(dummy, plain);
    return false;
  }
}
