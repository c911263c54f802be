import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/sequelize';
import { Op, type Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { Session } from './session.model';
import { TokenService } from './token.service';

const invalidRefreshToken = () =>
  new DomainError(DomainErrorCode.Unauthorized, 'The refresh token is invalid, expired or revoked');

export type RevokeReason = 'logout' | 'rotated' | 'reuse_detected' | 'password_changed';

/**
 * Refresh-token sessions. A login starts a family. Without rotation a token stays valid until it
 * expires or is revoked (the iOS client keeps its first token forever). With rotation the old
 * token is revoked and replaced; presenting a rotated token again means it was copied, so the
 * whole family is revoked.
 */
@Injectable()
export class SessionsService {
  constructor(
    @InjectModel(Session) private readonly sessions: typeof Session,
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
    const session = await this.sessions.findOne({
      where: { tokenHash: this.tokens.digest(refreshToken) },
    });
    if (!session) throw invalidRefreshToken();
    if (session.revokedAt) {
      if (session.revokedReason === 'rotated')
        await this.revokeFamily(session.familyId, 'reuse_detected');
      throw invalidRefreshToken();
    }
    if (session.expiresAt.getTime() <= Date.now()) throw invalidRefreshToken();
    if (!rotate) {
      await this.sessions.update({ lastUsedAt: new Date() }, { where: { id: session.id } });
      return { userId: session.userId };
    }
    return this.rotate(session);
  }

  /** Revokes the login (the whole family) this token belongs to. Unknown tokens are ignored. */
  async end(refreshToken: string): Promise<void> {
    const session = await this.sessions.findOne({
      where: { tokenHash: this.tokens.digest(refreshToken) },
    });
    if (session) await this.revokeFamily(session.familyId, 'logout');
  }

  async endAllFor(userId: number, reason: RevokeReason, transaction?: Transaction): Promise<void> {
    await this.sessions.update(
      { revokedAt: new Date(), revokedReason: reason },
      { where: { userId, revokedAt: { [Op.is]: null } }, transaction },
    );
  }

  /**
   * Revoking the old token is a conditional write: of two simultaneous rotations of one token only
   * one finds it unrevoked; the other is treated as reuse.
   */
  private async rotate(session: Session): Promise<{ userId: number; refreshToken: string }> {
    const refreshToken = await this.sequelize.transaction(async (transaction) => {
      const [revoked] = await this.sessions.update(
        { revokedAt: new Date(), revokedReason: 'rotated' },
        { where: { id: session.id, revokedAt: { [Op.is]: null } }, transaction },
      );
      if (revoked === 0) return undefined;
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
    await this.sessions.create(
      { userId, familyId, tokenHash: digest, expiresAt: this.tokens.refreshTokenExpiry() },
      { transaction },
    );
    return token;
  }

  private async revokeFamily(familyId: string, reason: RevokeReason): Promise<void> {
    await this.sessions.update(
      { revokedAt: new Date(), revokedReason: reason },
      { where: { familyId, revokedAt: { [Op.is]: null } } },
    );
  }
}
