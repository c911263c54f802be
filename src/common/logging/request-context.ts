import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/** What a proxy or client may pass on; anything else could forge or break log lines. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's `genReqId`: the caller's `X-Request-Id` when sane, a new UUID otherwise. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

interface RequestContext {
  id: string;
  /** The response, to learn whether its client is still there (see clientGone). */
  response?: ServerResponse;
  gone?: AbortSignal;
}

const requests = new AsyncLocalStorage<RequestContext>();

/** The id of the request being served by the current async context, if any. */
export function currentRequestId(): string | undefined {
  return requests.getStore()?.id;
}

export function runWithRequestId<T>(requestId: string, work: () => T): T {
  return requests.run({ id: requestId }, work);
}

/**
 * Aborts when the client of the request being served closes its connection before the answer is
 * sent, so that work queued for it can be dropped; undefined outside a request. Made on first
 * asking: requests that never ask pay nothing.
 */
export function clientGone(): AbortSignal | undefined {
  const context = requests.getStore();
  if (!context?.response) return undefined;
  if (!context.gone) {
    const controller = new AbortController();
    const response = context.response;
    response.once('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    context.gone = controller.signal;
  }
  return context.gone;
}

/**
 * Returns the id as a response header and runs the rest of each request in its context, so that
 * every line logged while serving it carries the id.
 */
export function trackRequestIds(fastify: FastifyInstance): void {
  // Once is enough: a body read later, in the socket's own callbacks, is handed on by Fastify's
  // body parser in the async context the parser started in, this one.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    requests.run({ id: request.id, response: reply.raw }, done);
  });
  // Once the server is closed, no async operation of the process needs to carry a request's
  // context any more (the next request's `run` would start it again). Node tracks contexts
  // through every promise while any is enabled, so this spares whatever runs after the server,
  // e.g. the next test file in the same worker.
  fastify.addHook('onClose', (_instance, done) => {
    requests.disable();
    done();
  });
}
