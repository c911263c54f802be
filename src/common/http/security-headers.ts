import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

interface HeaderWrites {
  set: [name: string, value: string][];
  removed: string[];
}

/**
 * What helmet's middleware does to a response, learned once: with fixed options (no per-request
 * nonces) it sets the same headers, with the same names and values, on every response.
 */
function headerWrites(options: HelmetOptions): HeaderWrites {
  const writes: HeaderWrites = { set: [], removed: [] };
  const recorder = {
    setHeader(name: string, value: string) {
      writes.set.push([name, value]);
    },
    removeHeader(name: string) {
      writes.removed.push(name);
    },
  };
  let finished = false;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error) => {
    if (error) throw error as Error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish synchronously');
  return writes;
}

/**
 * Helmet's headers by lower-case name, with the values helmet writes, learned once: running its
 * chain of thirteen middlewares on each request (as @fastify/helmet did, parsing the CSP
 * directives again each time) was a twentieth of the API's CPU on cheap reads.
 */
export function securityHeaderValues(options: HelmetOptions): Record<string, string> {
  const { set, removed } = headerWrites(options);
  // Helmet only removes what a framework may have set (X-Powered-By): Fastify sets none of it.
  const unexpected = removed.filter((name) => !/^x-powered-by$/i.test(name));
  if (unexpected.length > 0) throw new Error(`helmet removes ${unexpected.join(', ')}`);
  return Object.fromEntries(set.map(([name, value]) => [name.toLowerCase(), value]));
}

/**
 * Sets `headers` (securityHeaderValues) on every response a route or Fastify's not-found and
 * error handlers send. They go into Fastify's reply headers rather than onto the raw response:
 * Node then writes the head in one pass, validating each header once, where `setHeader` validated,
 * lower-cased and stored each one and made `writeHead` merge Fastify's own in one by one.
 */
export function securityHeaders(fastify: FastifyInstance, headers: Record<string, string>): void {
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(headers);
    done();
  });
}
