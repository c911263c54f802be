import { connect } from 'node:net';
import { ErrorCode } from '../../src/common/errors/error-codes';
import { createTestApp, type TestApp } from '../support/app';
import { captureLogs, type CapturedLogs } from '../support/logs';

/**
 * What Node's HTTP parser refuses before any route sees the request, and requests the client
 * gives up on: over a raw socket, since no HTTP client sends them.
 */

const WITHIN_MS = 5_000;

let t: TestApp;
let logs: CapturedLogs;
let port: number;

beforeAll(async () => {
  logs = captureLogs('debug');
  t = await createTestApp({ LOG_REQUESTS: 'true' }, logs.logger);
  port = (t.app.getHttpServer().address() as { port: number }).port;
});
afterAll(() => t.close());

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` as is and reads until the server closes the connection. */
function exchange(request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${WITHIN_MS} ms`));
    }, WITHIN_MS);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = text.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const headers = Object.fromEntries(
        headerLines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
    socket.write(request, 'latin1');
  });
}

describe('requests the HTTP parser refuses', () => {
  const host = 'Host: localhost\r\n';
  it.each([
    [
      'headers over 16 KB',
      `GET /api/health HTTP/1.1\r\n${host}X-Big: ${'a'.repeat(17_000)}\r\n\r\n`,
      431,
      ErrorCode.HeadersTooLarge,
    ],
    ['a malformed request line', 'GET\r\n\r\n', 400, ErrorCode.MalformedRequest],
    [
      'a header without a colon',
      `GET /api/health HTTP/1.1\r\n${host}NoColonHere\r\n\r\n`,
      400,
      ErrorCode.MalformedRequest,
    ],
    [
      'Content-Length with Transfer-Encoding',
      `POST /api/auth/login HTTP/1.1\r\n${host}Content-Type: application/json\r\n` +
        'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
      400,
      ErrorCode.MalformedRequest,
    ],
    [
      'a Content-Length that is not a number',
      `POST /api/auth/login HTTP/1.1\r\n${host}Content-Length: ten\r\n\r\n{}`,
      400,
      ErrorCode.MalformedRequest,
    ],
    [
      'a bad chunk size',
      `POST /api/auth/login HTTP/1.1\r\n${host}Content-Type: application/json\r\n` +
        'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      400,
      ErrorCode.MalformedRequest,
    ],
    [
      'a NUL in the path',
      `GET /api/he\0alth HTTP/1.1\r\n${host}\r\n`,
      400,
      ErrorCode.MalformedRequest,
    ],
    [
      'an unknown method',
      `BREW /api/health HTTP/1.1\r\n${host}\r\n`,
      400,
      ErrorCode.MalformedRequest,
    ],
  ])(
    'answers %s in the error shape and closes the connection',
    async (_label, request, status, code) => {
      const response = await exchange(request);
      expect(response.status).toBe(status);
      expect(response.headers).toMatchObject({
        'content-type': 'application/json; charset=utf-8',
        connection: 'close',
        'x-request-id': expect.any(String),
      });
      expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
      expect(JSON.parse(response.body)).toEqual({
        success: false,
        statusCode: status,
        error: expect.any(String),
        code,
        message: expect.any(String),
        requestId: response.headers['x-request-id'],
      });
    },
  );

  it('logs none of them as an error, and still serves well-formed requests', async () => {
    expect(logs.entries().filter((line) => line.level === 'error')).toEqual([]);
    await t.http.get('/api/health').expect(200);
  });
});

describe('a body the client abandons', () => {
  it('is the client’s doing: logged below warn, never as a 500', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: abandoned-1\r\n' +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"username"',
    );
    socket.end();

    const entry = await logs.waitFor(
      'the abandoned request',
      (line) => line.requestId === 'abandoned-1' && line.context === 'Errors',
    );
    expect(entry.level).toBe('debug');
    expect(entry.msg).toMatch(/REQUEST_ABORTED/);
    const lines = logs.entries().filter((line) => line.requestId === 'abandoned-1');
    expect(lines.filter((line) => ['error', 'fatal', 'warn'].includes(line.level))).toEqual([]);
    expect(lines.filter((line) => line.status === 500)).toEqual([]);
  });
});
