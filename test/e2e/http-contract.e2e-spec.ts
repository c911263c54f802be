/**
 * What clients see of HTTP itself: the iOS contract, conventions, hostile input, raw sockets, logs, OpenAPI.
 *
 * @seconds 12
 */
import { suites } from '../support/suites';

suites({
  'client-contract': () => require('./client-contract.e2e'),
  'http-conventions': () => require('./http-conventions.e2e'),
  'input-hardening': () => require('./input-hardening.e2e'),
  'input-edges': () => require('./input-edges.e2e'),
  'raw-http': () => require('./raw-http.e2e'),
  logs: () => require('./logs.e2e'),
  'openapi-types': () => require('./openapi-types.e2e'),
});
