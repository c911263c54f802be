/**
 * The built API in processes of its own: shutdown on SIGTERM, PostgreSQL and Redis going away and
 * coming back, dispatch shared by two processes (one killed), and the city simulator.
 *
 * @seconds 40
 */
import { suites } from '../support/suites';

suites({
  'fault-sigterm': () => require('./fault-sigterm.e2e'),
  'fault-postgres': () => require('./fault-postgres.e2e'),
  'fault-redis': () => require('./fault-redis.e2e'),
  'dispatch-processes': () => require('./dispatch-processes.e2e'),
  simulate: () => require('./simulate.e2e'),
});
