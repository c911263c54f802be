import { AuthModule } from '../../src/auth/auth.module';
import { SessionStore } from '../../src/auth/session.store';
import { SessionsService } from '../../src/auth/sessions.service';
import { TokenService } from '../../src/auth/token.service';
import { RIDER_ROLE_ID } from '../../src/common/built-ins';
import { DomainErrorCode } from '../../src/common/errors/domain-error';
import { createModuleTest, insertUser, type ModuleTest } from '../support/nest-db';

interface SessionRow {
  id: number;
  userId: number;
  familyId: string;
  revokedReason: string | null;
}

describe('SessionStore and SessionsService', () => {
  let t: ModuleTest;
  let sessions: SessionsService;
  let store: SessionStore;
  let tokens: TokenService;

  beforeAll(async () => {
    t = await createModuleTest([AuthModule]);
    sessions = t.get(SessionsService);
    store = t.get(SessionStore);
    tokens = t.get(TokenService);
  });

  afterAll(() => t?.close());

  const sessionsOf = (userId: number) =>
    t.select<SessionRow>(
      `SELECT id, "userId", "familyId", "revokedReason" FROM "Sessions" WHERE "userId" = :userId
       ORDER BY id`,
      { userId },
    );
  const sessionOf = async (token: string) => {
    const session = await store.findByDigest(tokens.digest(token));
    if (!session) throw new Error('no session for this token');
    return session;
  };
  const refusalCode = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (error: { code?: string }) => error.code,
    );

  it('keeps a token usable without rotation', async () => {
    const user = await insertUser(t, RIDER_ROLE_ID);
    const token = await sessions.start(user);
    expect(await sessions.use(token, false)).toEqual({ userId: user });
    expect(await sessions.use(token, false)).toEqual({ userId: user });
    expect((await sessionOf(token)).lastUsedAt).toBeInstanceOf(Date);
  });

  it('rotates: the old token is revoked, the new one continues the family', async () => {
    const user = await insertUser(t, RIDER_ROLE_ID);
    const first = await sessions.start(user);
    const { refreshToken: second } = await sessions.use(first, true);
    expect(second).toEqual(expect.any(String));
    const rows = await sessionsOf(user);
    expect(rows).toHaveLength(2);
    expect(rows[0].familyId).toBe(rows[1].familyId);
    expect(rows.map((row) => row.revokedReason)).toEqual(['rotated', null]);
    expect(await sessions.use(second!, false)).toEqual({ userId: user });
  });

  /** Moves a user's rotations back beyond the reuse interval (10 s by default). */
  const ageRotations = (user: number) =>
    t.sequelize.query(
      `UPDATE "Sessions" SET "revokedAt" = "revokedAt" - interval '1 minute'
       WHERE "userId" = :user AND "revokedAt" IS NOT NULL`,
      { replacements: { user } },
    );

  it('treats a rotated token presented after the reuse interval as reuse and revokes the whole family', async () => {
    const user = await insertUser(t, RIDER_ROLE_ID);
    const first = await sessions.start(user);
    const { refreshToken: second } = await sessions.use(first, true);
    await ageRotations(user);
    expect(await refusalCode(sessions.use(first, true))).toBe(DomainErrorCode.Unauthorized);
    expect(await refusalCode(sessions.use(second!, false))).toBe(DomainErrorCode.Unauthorized);
    expect((await sessionsOf(user)).map((row) => row.revokedReason)).toEqual([
      'rotated',
      'reuse_detected',
    ]);
  });

  it('gives every simultaneous rotation of one token the same successor, issuing one', async () => {
    const user = await insertUser(t, RIDER_ROLE_ID);
    const token = await sessions.start(user);
    const results = await Promise.all(Array.from({ length: 4 }, () => sessions.use(token, true)));
    const successors = new Set(results.map((result) => result.refreshToken));
    expect(successors.size).toBe(1);
    expect([...successors][0]).toEqual(expect.any(String));
    const rows = await sessionsOf(user);
    expect(rows.map((row) => row.revokedReason)).toEqual(['rotated', null]);
  });

  it('keeps the successor only sealed, and clears it once the reuse interval is over', async () => {
    const user = await insertUser(t, RIDER_ROLE_ID);
    const first = await sessions.start(user);
    const { refreshToken: second } = await sessions.use(first, true);
    const sealedOf = () =>
      t.select<{ sealed: string | null }>(
        `SELECT "successorTokenCiphertext" AS sealed FROM "Sessions"
         WHERE "userId" = :user AND "revokedReason" = 'rotated'`,
        { user },
      );
    const [{ sealed }] = await sealedOf();
    expect(sealed).toEqual(expect.any(String));
    expect(sealed).not.toContain(second!);

    await sessions.clearSealedSuccessors();
    expect((await sealedOf())[0].sealed).toBe(sealed);
    await ageRotations(user);
    await sessions.clearSealedSuccessors();
    expect((await sealedOf())[0].sealed).toBeNull();
  });

  it('revokes one family only, keeping the reason of what was already revoked', async () => {
    const user = await insertUser(t, RIDER_ROLE_ID);
    const phone = await sessions.start(user);
    const { refreshToken: phoneNext } = await sessions.use(phone, true);
    const laptop = await sessions.start(user);
    await store.revokeFamily((await sessionOf(phone)).familyId, 'logout');
    expect((await sessionOf(phone)).revokedReason).toBe('rotated');
    expect((await sessionOf(phoneNext!)).revokedReason).toBe('logout');
    expect(await sessions.use(laptop, false)).toEqual({ userId: user });
  });

  it('ends every login of one user and no one else', async () => {
    const user = await insertUser(t, RIDER_ROLE_ID);
    const other = await insertUser(t, RIDER_ROLE_ID);
    const tokensOfUser = [await sessions.start(user), await sessions.start(user)];
    const otherToken = await sessions.start(other);
    await sessions.endAllFor(user, 'password_changed');
    expect((await sessionsOf(user)).map((row) => row.revokedReason)).toEqual([
      'password_changed',
      'password_changed',
    ]);
    for (const token of tokensOfUser) {
      expect(await refusalCode(sessions.use(token, false))).toBe(DomainErrorCode.Unauthorized);
    }
    expect(await sessions.use(otherToken, false)).toEqual({ userId: other });
  });

  it('ends a login by its token and ignores unknown tokens', async () => {
    const user = await insertUser(t, RIDER_ROLE_ID);
    const token = await sessions.start(user);
    await sessions.end('not-a-token');
    expect(await sessions.use(token, false)).toEqual({ userId: user });
    await sessions.end(token);
    expect((await sessionsOf(user))[0].revokedReason).toBe('logout');
  });

  it('refuses an expired token', async () => {
    const user = await insertUser(t, RIDER_ROLE_ID);
    const token = await sessions.start(user);
    await t.sequelize.query(
      `UPDATE "Sessions" SET "expiresAt" = now() - interval '1 second' WHERE "userId" = :user`,
      { replacements: { user } },
    );
    expect(await refusalCode(sessions.use(token, true))).toBe(DomainErrorCode.Unauthorized);
    expect(await sessionsOf(user)).toHaveLength(1);
  });
});
