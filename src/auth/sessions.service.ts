import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/sequelize';
import type { Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { LoginSessions } from '../users/login-sessions';
import type { Session } from './session.model';
import { type RevokeReason, SessionStore } from './session.store';
import { TokenService } from './token.service';

const invalidRefreshToken = () =>
  new DomainError(DomainErrorCode.Unauthorized, 'The refresh token is invalid, expired or revoked');

/**
 * Refresh-token sessions. A login starts a family. Without rotation a token stays valid until it
 * expires or is revoked (the iOS client keeps its first token forever). With rotation the old
 * token is revoked and replaced; presenting a rotated token again means it was copied, so the
 * whole family is revoked.
 */
@Injectable()
export class SessionsService implements LoginSessions {
  constructor(
    private readonly sessions: SessionStore,
    @InjectConnection() private readonly sequelize: Sequelize,
    private readonly tokens: TokenService,
  ) {}

  async start(userId: number, transaction?: Transaction): Promise<string> {
    return this.issue(userId, randomUUID(), transaction);
  }

  /** The session's user id, plus a replacement token when `rotate` is asked. */
  async use(
    refreshToken: string,
    rotate: boolean,
  ): Promise<{ userId: number; refreshToken?: string }> {
    const session = await this.sessions.findByDigest(this.tokens.digest(refreshToken));
    if (!session) throw invalidRefreshToken();
    if (session.revokedAt) {
      if (session.revokedReason === 'rotated')
        await this.revokeFamily(session.familyId, 'reuse_detected');
      throw invalidRefreshToken();
    }
    if (session.expiresAt.getTime() <= Date.now()) throw invalidRefreshToken();
    if (!rotate) {
      await this.sessions.markUsed(session.id);
      return { userId: session.userId };
    }
    return this.rotate(session);
  }

  /** Revokes the login (the whole family) this token belongs to. Unknown tokens are ignored. */
  async end(refreshToken: string): Promise<void> {
    const session = await this.sessions.findByDigest(this.tokens.digest(refreshToken));
    if (session) await this.revokeFamily(session.familyId, 'logout');
  }

  async endAllFor(userId: number, reason: RevokeReason, transaction?: Transaction): Promise<void> {
    await this.sessions.revokeAllOf(userId, reason, transaction);
  }

  /**
   * Revoking the old token is a conditional write: of two simultaneous rotations of one token only
   * one finds it unrevoked; the other is treated as reuse.
   */
  private async rotate(session: Session): Promise<{ userId: number; refreshToken: string }> {
    const refreshToken = await this.sequelize.transaction(async (transaction) => {
      if (!(await this.sessions.revokeIfActive(session.id, 'rotated', transaction))) {
        return undefined;
      }
      return this.issue(session.userId, session.familyId, transaction);
    });
    if (!refreshToken) {
      await this.revokeFamily(session.familyId, 'reuse_detected');
      throw invalidRefreshToken();
    }
    return { userId: session.userId, refreshToken };
  }

  private async issue(
    userId: number,
    familyId: string,
    transaction?: Transaction,
  ): Promise<string> {
    const { token, digest } = this.tokens.newRefreshToken();
    await this.sessions.insert(
      { userId, familyId, tokenHash: digest, expiresAt: this.tokens.refreshTokenExpiry() },
      transaction,
    );
    return token;
  }

  private revokeFamily(familyId: string, reason: RevokeReason): Promise<void> {
    return this.sessions.revokeFamily(familyId, reason);
  }
}
