import { createHash, createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { JwtService } from '@nestjs/jwt';
import type { AuthConfig } from '../config/configuration';

export interface AccessTokenPayload {
  sub: string;
  userId: number;
  roleId: number;
  iat: number;
  exp: number;
  nbf?: number;
}

/**
 * How far ahead of our clock a token's `iat` or `nbf` may be: servers behind a load balancer
 * rarely agree to the second. Expiry gets no leeway: a token is refused the second it expires.
 */
export const CLOCK_LEEWAY_SECONDS = 30;

/** The JOSE header of every access token, as jsonwebtoken writes it for HS256. */
const HS256_HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString(
  'base64url',
);

/** Verified access tokens remembered at most (a client sends the same one until it expires). */
const MAX_REMEMBERED_TOKENS = 10_000;

/** Access tokens (JWT, HS256 only) and opaque refresh tokens with their stored digests. */
@Injectable()
export class TokenService {
  private readonly config: AuthConfig;
  /**
   * Built once: given a string, jsonwebtoken first tries to parse it as a public key on every
   * verification (a private key on every signing), which cost more than the rest of an
   * authenticated request, and most of a login's work outside the password hash.
   */
  private readonly key: KeyObject;
  /**
   * Tokens whose signature and claims have been checked, with their payloads: the same string
   * again needs only its lifetime checked against the clock. jsonwebtoken's parsing and checks
   * cost as much as the rest of an authenticated read from memory.
   */
  private readonly verified = new Map<string, AccessTokenPayload>();

  constructor(
    private readonly jwt: JwtService,
    config: ConfigService,
  ) {
    this.config = config.getOrThrow<AuthConfig>('auth');
    this.key = createSecretKey(Buffer.from(this.config.jwtSecret, 'utf8'));
  }

  /**
   * Signed here, byte for byte as jsonwebtoken would (the same header, then sub, userId, roleId,
   * iat and exp): its `sign` checks options and claims with generic validators and signs through
   * jws's streams, 3% of the event loop's profile while 50 connections logged in.
   */
  signAccessToken(user: { id: number; roleId: number }): string {
    const iat = Math.floor(Date.now() / 1000);
    const claims: AccessTokenPayload = {
      sub: String(user.id),
      userId: user.id,
      roleId: user.roleId,
      iat,
      exp: iat + this.config.accessTokenTtlSeconds,
    };
    const unsigned = `${HS256_HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${unsigned}.${createHmac('sha256', this.key).update(unsigned).digest('base64url')}`;
  }

  /** The payload of a valid, unexpired HS256 token signed by us; undefined for anything else. */
  async verifyAccessToken(token: string): Promise<AccessTokenPayload | undefined> {
    const known = this.recall(token);
    if (known !== undefined) return known ?? undefined;
    const payload = await this.verifyAnew(token);
    if (payload) this.remember(token, payload);
    return payload;
  }

  /**
   * A token verified before, without waiting: its payload while it is still valid, null once it
   * is not (and forgotten), undefined for a token not seen yet (verifyAccessToken checks those).
   */
  recall(token: string): AccessTokenPayload | null | undefined {
    const known = this.verified.get(token);
    if (!known) return undefined;
    if (this.isUnexpired(known) && this.isWithinLifetime(known)) return known;
    this.verified.delete(token);
    return null;
  }

  private async verifyAnew(token: string): Promise<AccessTokenPayload | undefined> {
    try {
      const payload = await this.jwt.verifyAsync<AccessTokenPayload>(token, {
        secret: this.key as never,
        algorithms: ['HS256'],
        // Checked below, with the leeway; jsonwebtoken would allow it on `exp` too.
        ignoreNotBefore: true,
      });
      return Number.isInteger(payload.userId) &&
        Number.isInteger(payload.roleId) &&
        this.isWithinLifetime(payload)
        ? payload
        : undefined;
    } catch {
      return undefined;
    }
  }

  private remember(token: string, payload: AccessTokenPayload): void {
    if (this.verified.size >= MAX_REMEMBERED_TOKENS) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, payload);
  }

  /** jsonwebtoken's own expiry check: refused from the second `exp` names. */
  private isUnexpired(payload: AccessTokenPayload): boolean {
    return Math.floor(Date.now() / 1000) < payload.exp;
  }

  /**
   * jsonwebtoken checks `exp` only when present, so a token signed with our key but without it
   * would be valid forever. Ours always carry `iat` and `exp`, `exp - iat` is the configured TTL,
   * and neither `iat` nor `nbf` lies in the future; anything else was not issued by this API as
   * configured now (a lowered TTL refuses older, longer tokens: the client refreshes).
   */
  private isWithinLifetime(payload: AccessTokenPayload): boolean {
    const now = Math.floor(Date.now() / 1000);
    const latestStart = now + CLOCK_LEEWAY_SECONDS;
    const { iat, exp, nbf } = payload;
    return (
      Number.isFinite(iat) &&
      Number.isFinite(exp) &&
      iat <= latestStart &&
      exp > iat &&
      exp - iat <= this.config.accessTokenTtlSeconds &&
      (nbf === undefined || (Number.isFinite(nbf) && nbf <= latestStart))
    );
  }

  /** 256 random bits; the client keeps the token, we keep only its SHA-256 digest. */
  newRefreshToken(): { token: string; digest: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, digest: this.digest(token) };
  }

  digest(refreshToken: string): string {
    return createHash('sha256').update(refreshToken).digest('hex');
  }

  refreshTokenExpiry(from = new Date()): Date {
    return new Date(from.getTime() + this.config.refreshTokenTtlDays * 24 * 3600 * 1000);
  }
}
