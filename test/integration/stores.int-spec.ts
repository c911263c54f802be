/**
 * Stores and services on the migrated database, without HTTP.
 *
 * @seconds 12
 */
import { suites } from '../support/suites';

suites({
  users: () => require('./users.int'),
  sessions: () => require('./sessions.int'),
  'service-types-and-drivers': () => require('./service-types-and-drivers.int'),
  rides: () => require('./rides.int'),
  dispatch: () => require('./dispatch.int'),
});
