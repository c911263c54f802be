import type { Transaction } from 'sequelize';

/**
 * The logins (refresh-token sessions) of an account, as the users feature needs them: a new
 * password ends them all, in the same transaction as the change. The auth feature, which owns
 * sessions, provides it; declaring it here keeps users from depending on auth.
 */
export abstract class LoginSessions {
  abstract endAllFor(
    userId: number,
    reason: 'password_changed',
    transaction: Transaction,
  ): Promise<void>;
}
