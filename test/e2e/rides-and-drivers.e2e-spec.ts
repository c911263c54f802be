/**
 * Rides, drivers and service types through the API, and dispatch inside requests.
 *
 * @seconds 16
 */
import { suites } from '../support/suites';

suites({
  rides: () => require('./rides.e2e'),
  'rides-api': () => require('./rides-api.e2e'),
  drivers: () => require('./drivers.e2e'),
  'service-types': () => require('./service-types.e2e'),
  dispatch: () => require('./dispatch.e2e'),
});
