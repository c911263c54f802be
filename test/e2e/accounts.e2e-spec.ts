/**
 * Accounts: registration and sign-in, users, roles, guards, access to every route, cached reads, sign-ins under load.
 *
 * @seconds 28
 */
import { suites } from '../support/suites';

suites({
  auth: () => require('./auth.e2e'),
  users: () => require('./users.e2e'),
  roles: () => require('./roles.e2e'),
  'account-guards': () => require('./account-guards.e2e'),
  'access-control': () => require('./access-control.e2e'),
  'cached-reads': () => require('./cached-reads.e2e'),
  'sign-in-load': () => require('./sign-in-load.e2e'),
});
