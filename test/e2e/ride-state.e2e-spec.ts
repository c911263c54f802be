/**
 * A ride's state: every step by every caller, concurrent steps, and requests nobody answers.
 *
 * @seconds 40
 */
import { suites } from '../support/suites';

suites({
  'ride-lifecycle': () => require('./ride-lifecycle.e2e'),
  'ride-races': () => require('./ride-races.e2e'),
  'ride-expiry': () => require('./ride-expiry.e2e'),
});
