import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/sequelize';
import { Op, type Transaction } from 'sequelize';
import { Session } from './session.model';

export type RevokeReason = 'logout' | 'rotated' | 'reuse_detected' | 'password_changed';

export type NewSession = Pick<Session, 'userId' | 'familyId' | 'tokenHash' | 'expiresAt'>;

const NOT_REVOKED = { revokedAt: { [Op.is]: null } };

/** Every statement on the Sessions table (refresh tokens, kept as digests). */
@Injectable()
export class SessionStore {
  constructor(@InjectModel(Session) private readonly sessions: typeof Session) {}

  findByDigest(tokenHash: string): Promise<Session | null> {
    return this.sessions.findOne({ where: { tokenHash } });
  }

  async insert(session: NewSession, transaction?: Transaction): Promise<void> {
    await this.sessions.create({ ...session }, { transaction });
  }

  async markUsed(id: number): Promise<void> {
    await this.sessions.update({ lastUsedAt: new Date() }, { where: { id } });
  }

  /**
   * A conditional write: of two simultaneous revocations of one session only one finds it
   * unrevoked. Whether this call revoked it.
   */
  async revokeIfActive(
    id: number,
    reason: RevokeReason,
    transaction: Transaction,
  ): Promise<boolean> {
    const [revoked] = await this.sessions.update(
      { revokedAt: new Date(), revokedReason: reason },
      { where: { id, ...NOT_REVOKED }, transaction },
    );
    return revoked > 0;
  }

  async revokeFamily(familyId: string, reason: RevokeReason): Promise<void> {
    await this.sessions.update(
      { revokedAt: new Date(), revokedReason: reason },
      { where: { familyId, ...NOT_REVOKED } },
    );
  }

  async revokeAllOf(
    userId: number,
    reason: RevokeReason,
    transaction?: Transaction,
  ): Promise<void> {
    await this.sessions.update(
      { revokedAt: new Date(), revokedReason: reason },
      { where: { userId, ...NOT_REVOKED }, transaction },
    );
  }
}
