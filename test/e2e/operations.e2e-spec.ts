/**
 * Operations: health and readiness, metrics, and the models against the migrated schema.
 *
 * @seconds 14
 */
import { suites } from '../support/suites';

suites({
  health: () => require('./health.e2e'),
  metrics: () => require('./metrics.e2e'),
  'model-schema': () => require('./model-schema.e2e'),
});
