import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectConnection } from '@nestjs/sequelize';
import type { Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import type { AuthConfig } from '../config/configuration';
import { DomainError, DomainErrorCode } from '../common/errors/domain-error';
import { LoginSessions } from '../users/login-sessions';
import { type PresentedSession, type RevokeReason, SessionStore } from './session.store';
import { openSuccessor, sealSuccessor } from './successor-token';
import { TokenService } from './token.service';

const invalidRefreshToken = () =>
  new DomainError(DomainErrorCode.Unauthorized, 'The refresh token is invalid, expired or revoked');

/** What presenting a token came to; decided while its session's row is locked. */
type Outcome =
  | { granted: { userId: number; refreshToken?: string } }
  | { refused: 'invalid' | 'reused'; familyId?: string };

/**
 * Refresh-token sessions. A login starts a family. Without rotation a token stays valid until it
 * expires or is revoked (the iOS client keeps its first token forever). With rotation the old
 * token is revoked and replaced. For the reuse interval after that (REFRESH_REUSE_INTERVAL_SECONDS)
 * the old token still yields the same successor, so two requests sent at once or a retry after a
 * lost answer keep the login; presented later, it was copied, and the whole family is revoked.
 */
@Injectable()
export class SessionsService implements LoginSessions {
  private readonly reuseIntervalSeconds: number;

  constructor(
    private readonly sessions: SessionStore,
    @InjectConnection() private readonly sequelize: Sequelize,
    private readonly tokens: TokenService,
    config: ConfigService,
  ) {
    this.reuseIntervalSeconds = config.getOrThrow<AuthConfig>('auth').refreshReuseIntervalSeconds;
  }

  async start(userId: number, transaction?: Transaction): Promise<string> {
    return (await this.issue(userId, randomUUID(), transaction)).token;
  }

  /**
   * The session's user id, plus a replacement token when `rotate` is asked. Uses of one token are
   * settled one at a time on its session's row lock, so processes sharing the database agree.
   */
  async use(
    refreshToken: string,
    rotate: boolean,
  ): Promise<{ userId: number; refreshToken?: string }> {
    const digest = this.tokens.digest(refreshToken);
    const outcome = await this.sequelize.transaction(async (transaction): Promise<Outcome> => {
      const session = await this.sessions.lockByDigest(
        digest,
        this.reuseIntervalSeconds,
        transaction,
      );
      if (!session) return { refused: 'invalid' };
      if (session.revoked) return this.reuse(session, refreshToken, rotate, transaction);
      if (session.expired) return { refused: 'invalid' };
      if (!rotate) {
        await this.sessions.markUsed(session.id, transaction);
        return { granted: { userId: session.userId } };
      }
      return { granted: await this.rotate(session, refreshToken, transaction) };
    });
    if ('granted' in outcome) return outcome.granted;
    // After the commit, so that this multi-row write takes no lock while holding the token's.
    if (outcome.refused === 'reused') await this.revokeFamily(outcome.familyId!, 'reuse_detected');
    throw invalidRefreshToken();
  }

  /** Revokes the login (the whole family) this token belongs to. Unknown tokens are ignored. */
  async end(refreshToken: string): Promise<void> {
    const session = await this.sessions.findByDigest(this.tokens.digest(refreshToken));
    if (session) await this.revokeFamily(session.familyId, 'logout');
  }

  async endAllFor(userId: number, reason: RevokeReason, transaction?: Transaction): Promise<void> {
    await this.sessions.revokeAllOf(userId, reason, transaction);
  }

  /** Drops sealed successors whose reuse interval is over; how many (see SessionSweeper). */
  clearSealedSuccessors(): Promise<number> {
    return this.sessions.clearSealedSuccessors(this.reuseIntervalSeconds);
  }

  private async rotate(
    session: PresentedSession,
    presented: string,
    transaction: Transaction,
  ): Promise<{ userId: number; refreshToken: string }> {
    const successor = await this.issue(session.userId, session.familyId, transaction);
    const sealed =
      this.reuseIntervalSeconds > 0 ? sealSuccessor(presented, session.id, successor.token) : null;
    await this.sessions.markRotated(session.id, successor.id, sealed, transaction);
    return { userId: session.userId, refreshToken: successor.token };
  }

  /**
   * A revoked token presented again. Rotated within the reuse interval, with its successor still
   * active: the same successor again (only with `rotate`; the access token either way). Rotated
   * longer ago: a copy is in use, the login ends. Within the interval but with the successor gone
   * (logged out, rotated in turn): refused, and nothing more is revoked.
   */
  private async reuse(
    session: PresentedSession,
    presented: string,
    rotate: boolean,
    transaction: Transaction,
  ): Promise<Outcome> {
    if (session.revokedReason !== 'rotated') return { refused: 'invalid' };
    if (!session.withinReuseInterval) return { refused: 'reused', familyId: session.familyId };
    const successor =
      session.successorTokenCiphertext !== null &&
      session.successorId !== null &&
      (await this.sessions.isActive(session.successorId, transaction))
        ? openSuccessor(presented, session.id, session.successorTokenCiphertext)
        : undefined;
    if (successor === undefined) return { refused: 'invalid' };
    return {
      granted: { userId: session.userId, ...(rotate && { refreshToken: successor }) },
    };
  }

  private async issue(
    userId: number,
    familyId: string,
    transaction?: Transaction,
  ): Promise<{ id: number; token: string }> {
    const { token, digest } = this.tokens.newRefreshToken();
    const id = await this.sessions.insert(
      { userId, familyId, tokenHash: digest, expiresAt: this.tokens.refreshTokenExpiry() },
      transaction,
    );
    return { id, token };
  }

  private revokeFamily(familyId: string, reason: RevokeReason): Promise<void> {
    return this.sessions.revokeFamily(familyId, reason);
  }
}
