/**
 * The schema and its data: migrations up and down, seeds, and adopting the original server's database.
 *
 * @seconds 31
 */
import { suites } from '../support/suites';

suites({
  migrations: () => require('./migrations.e2e'),
  'ride-migrations': () => require('./ride-migrations.e2e'),
  adoption: () => require('./adoption.e2e'),
  'adoption-repairs': () => require('./adoption-repairs.e2e'),
  'adoption-rollback': () => require('./adoption-rollback.e2e'),
});
