import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a proxy or client may pass on; anything else could forge or break log lines. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: the caller's `X-Request-Id` when sane, a new UUID otherwise. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

const requestIds = new AsyncLocalStorage<string>();

/** The id of the request being served by the current async context, if any. */
export function currentRequestId(): string | undefined {
  return requestIds.getStore();
}

export function runWithRequestId<T>(requestId: string, work: () => T): T {
  return requestIds.run(requestId, work);
}

/**
 * Returns the id as a response header and runs the rest of each request in its context, so that
 * every line logged while serving it carries the id.
 */
export function trackRequestIds(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    requestIds.run(request.id, done);
  });
  // The body is read in the socket's event callbacks, outside that context: enter it again.
  fastify.addHook('preValidation', (request, _reply, done) => requestIds.run(request.id, done));
}
