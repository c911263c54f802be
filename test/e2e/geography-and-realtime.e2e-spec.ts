/**
 * Where things are: radius searches over real coordinates, and events pushed to riders and drivers.
 *
 * @seconds 28
 */
import { suites } from '../support/suites';

suites({
  'ride-geography': () => require('./ride-geography.e2e'),
  realtime: () => require('./realtime.e2e'),
});
