import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { ErrorCode } from '../errors/error-codes';
import { type ApiError, errorBody } from '../errors/error-response';

const TOO_LARGE: ApiError = {
  status: 431,
  code: ErrorCode.HeadersTooLarge,
  message: 'Request headers are too large (at most 16 KB)',
};
const TIMED_OUT: ApiError = {
  status: 408,
  code: ErrorCode.RequestTimeout,
  message: 'The request was not received in time',
};

function errorFor(error: NodeJS.ErrnoException & { reason?: unknown }): ApiError {
  if (error.code === 'HPE_HEADER_OVERFLOW') return TOO_LARGE;
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return TIMED_OUT;
  // llhttp's reasons are fixed texts ("Invalid method encountered"), never the client's bytes.
  const reason = typeof error.reason === 'string' ? `: ${error.reason}` : '';
  return {
    status: 400,
    code: ErrorCode.MalformedRequest,
    message: `Malformed HTTP request${reason}`,
  };
}

/**
 * Fastify's `clientErrorHandler`: requests Node's HTTP parser refuses (oversized headers, a broken
 * request line or framing) get the API's error shape, and the connection is closed since its
 * framing cannot be trusted. They are the client's doing, so they are logged at debug only.
 */
export function clientErrorHandler(log: Logger) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const answer = errorFor(error);
    const requestId = randomUUID();
    log.debug(
      { context: 'HTTP', requestId, code: error.code },
      `${answer.status} ${answer.code}: ${answer.message}`,
    );
    // A response already begun on this connection cannot be followed by another.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) {
      const body = JSON.stringify(errorBody(answer, requestId));
      socket.write(
        `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\n` +
          `X-Request-Id: ${requestId}\r\n` +
          'Connection: close\r\n\r\n' +
          body,
      );
    }
    socket.destroy(error);
  };
}
