/** How much work a password hash costs: OWASP's argon2id parameters, or the least argon2 allows. */
export type PasswordHashCost = 'owasp' | 'minimal';

/**
 * `minimal` under NODE_ENV=test only, where suites create thousands of accounts; everywhere else
 * `owasp`. Read from the process environment, not AppConfig, because the seeders hash passwords
 * too and have no AppConfig. A minimal hash that reached production would be replaced at its
 * owner's next login (the parameters differ, so it needs a rehash).
 */
export function passwordHashCost(env: NodeJS.ProcessEnv = process.env): PasswordHashCost {
  return env.NODE_ENV === 'test' ? 'minimal' : 'owasp';
}
