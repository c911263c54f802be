import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/sequelize';
import { QueryTypes, type Transaction } from 'sequelize';
import { Session } from './session.model';

export type RevokeReason = 'logout' | 'rotated' | 'reuse_detected' | 'password_changed';

export type NewSession = Pick<Session, 'userId' | 'familyId' | 'tokenHash' | 'expiresAt'>;

/** A presented token's session, with what the database's clock says about it. */
export interface PresentedSession {
  id: number;
  userId: number;
  familyId: string;
  revoked: boolean;
  revokedReason: RevokeReason | null;
  expired: boolean;
  /** Revoked no longer ago than the reuse interval. */
  withinReuseInterval: boolean;
  successorId: number | null;
  successorTokenCiphertext: string | null;
}

/**
 * Revokes what is still active (keeping the reason of what was revoked before) and drops every
 * sealed successor token of the rows matched: a revoked login has no successor to hand out.
 */
const REVOKE_MATCHING = `UPDATE "Sessions"
  SET "revokedAt" = coalesce("revokedAt", now()),
    "revokedReason" = coalesce("revokedReason", :reason),
    "successorTokenCiphertext" = NULL, "updatedAt" = now()`;
const STILL_HOLDING = `("revokedAt" IS NULL OR "successorTokenCiphertext" IS NOT NULL)`;

/** Every statement on the Sessions table (refresh tokens, kept as digests). */
@Injectable()
export class SessionStore {
  constructor(@InjectModel(Session) private readonly sessions: typeof Session) {}

  findByDigest(tokenHash: string): Promise<Session | null> {
    return this.sessions.findOne({ where: { tokenHash } });
  }

  /**
   * The session of a presented token, locked until the transaction ends: simultaneous uses of one
   * token queue here, and each one that waited reads the row as the one before left it.
   */
  async lockByDigest(
    tokenHash: string,
    reuseIntervalSeconds: number,
    transaction: Transaction,
  ): Promise<PresentedSession | undefined> {
    const [session] = await this.sessions.sequelize!.query<PresentedSession>(
      `SELECT id, "userId", "familyId", "revokedAt" IS NOT NULL AS revoked, "revokedReason",
         "expiresAt" <= now() AS expired,
         coalesce("revokedAt" > now() - make_interval(secs => :reuseIntervalSeconds), false)
           AS "withinReuseInterval",
         "successorId", "successorTokenCiphertext"
       FROM "Sessions" WHERE "tokenHash" = :tokenHash
       FOR UPDATE`,
      { replacements: { tokenHash, reuseIntervalSeconds }, type: QueryTypes.SELECT, transaction },
    );
    return session;
  }

  /** Neither revoked nor expired. */
  async isActive(id: number, transaction: Transaction): Promise<boolean> {
    const rows = await this.sessions.sequelize!.query(
      `SELECT 1 FROM "Sessions" WHERE id = :id AND "revokedAt" IS NULL AND "expiresAt" > now()`,
      { replacements: { id }, type: QueryTypes.SELECT, transaction },
    );
    return rows.length > 0;
  }

  /**
   * The new session's id. One statement without a model instance: every login runs it, and
   * building and validating the instance cost more than the insert.
   */
  async insert(session: NewSession, transaction?: Transaction): Promise<number> {
    const [created] = await this.sessions.sequelize!.query<{ id: number }>(
      `INSERT INTO "Sessions" ("userId", "familyId", "tokenHash", "expiresAt", "createdAt", "updatedAt")
       VALUES (:userId, :familyId, :tokenHash, :expiresAt, now(), now())
       RETURNING id`,
      { replacements: { ...session }, type: QueryTypes.SELECT, transaction },
    );
    return created.id;
  }

  async markUsed(id: number, transaction?: Transaction): Promise<void> {
    await this.sessions.update({ lastUsedAt: new Date() }, { where: { id }, transaction });
  }

  /**
   * Revokes a session as rotated, naming its successor and keeping that successor's sealed token
   * (null when there is no reuse interval). The caller holds the row's lock (lockByDigest).
   */
  async markRotated(
    id: number,
    successorId: number,
    successorTokenCiphertext: string | null,
    transaction: Transaction,
  ): Promise<void> {
    await this.sessions.sequelize!.query(
      `UPDATE "Sessions" SET "revokedAt" = now(), "revokedReason" = 'rotated',
         "successorId" = :successorId, "successorTokenCiphertext" = :successorTokenCiphertext,
         "updatedAt" = now()
       WHERE id = :id`,
      { replacements: { id, successorId, successorTokenCiphertext }, transaction },
    );
  }

  async revokeFamily(familyId: string, reason: RevokeReason): Promise<void> {
    await this.sessions.sequelize!.query(
      `${REVOKE_MATCHING} WHERE "familyId" = :familyId AND ${STILL_HOLDING}`,
      { replacements: { familyId, reason } },
    );
  }

  async revokeAllOf(
    userId: number,
    reason: RevokeReason,
    transaction?: Transaction,
  ): Promise<void> {
    await this.sessions.sequelize!.query(
      `${REVOKE_MATCHING} WHERE "userId" = :userId AND ${STILL_HOLDING}`,
      { replacements: { userId, reason }, transaction },
    );
  }

  /** Drops sealed successor tokens whose reuse interval is over (served by a partial index). */
  async clearSealedSuccessors(reuseIntervalSeconds: number): Promise<number> {
    const [, cleared] = await this.sessions.sequelize!.query(
      `UPDATE "Sessions" SET "successorTokenCiphertext" = NULL
       WHERE "successorTokenCiphertext" IS NOT NULL
         AND "revokedAt" <= now() - make_interval(secs => :reuseIntervalSeconds)`,
      { replacements: { reuseIntervalSeconds }, type: QueryTypes.UPDATE },
    );
    return cleared;
  }
}
