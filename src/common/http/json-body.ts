import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type DomainError, invalidInput, RequestValidationError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-codes';
import { errorBody } from '../errors/error-response';
import { REQUEST_ID_HEADER } from '../logging/request-context';
import { builtInKeys } from './built-in-keys';

/** What Fastify names a JSON body it serialises; routes that send JSON already serialised name it too. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Deeper JSON than any request of this API needs; deeper input would only exhaust the stack later. */
export const MAX_JSON_DEPTH = 32;

function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

const tooDeep = () => invalidInput(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);

/**
 * The parser refuses valid JSON that has a `__proto__` key or a `constructor.prototype` with the
 * same words as broken JSON; this names the keys instead, as the ValidationPipe names any unknown
 * key. Only read once parsing has failed.
 */
function pollutionRefusal(body: string): DomainError | undefined {
  let plain: unknown;
  try {
    // JSON.parse makes `__proto__` an own key of the result, not its prototype.
    plain = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (depthExceeds(plain, MAX_JSON_DEPTH)) return tooDeep();
  const keys = builtInKeys(plain);
  return keys.length > 0 ? new RequestValidationError(keys) : undefined;
}

/**
 * JSON is the only body this API reads: Fastify's text parser is removed (→ 415), and its JSON
 * parser (which refuses `__proto__` tricks) is wrapped with a nesting limit and names the keys it
 * refuses.
 */
export function acceptJsonBodiesOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['text/plain', 'application/json']);
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Clients that set the JSON content type on every request (the iOS app does) send body-less
    // POSTs with it: an empty body is no body, and routes that need fields still name them.
    if (body === '') return done(null, undefined);
    void parseJson(request, body as string, (error, parsed) => {
      if (error) return done(pollutionRefusal(body as string) ?? error, undefined);
      if (depthExceeds(parsed, MAX_JSON_DEPTH)) return done(tooDeep(), undefined);
      done(null, parsed);
    });
  });
}

/**
 * Errors Fastify raises before routing (e.g. `%FF` in a path) get the API's error shape too, and
 * the security headers every other response has: no hook runs for them.
 */
export function frameworkErrors(headers: Record<string, string>) {
  return (_error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    const error = {
      status: 400,
      code: ErrorCode.MalformedRequest,
      message: 'The request URL is malformed',
    };
    void reply
      .code(400)
      .headers(headers)
      .header(REQUEST_ID_HEADER, request.id)
      .send(errorBody(error, request.id));
  };
}
