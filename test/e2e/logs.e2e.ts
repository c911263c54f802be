import { connect } from 'node:net';
import { createTestApp, type TestApp } from '../support/app';
import { captureLogs, type CapturedLogs } from '../support/logs';

/** What operators read: one JSON line per event, each tied to its request, with no secrets. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PASSWORD = 'a password nobody logs 7';

let t: TestApp;
let logs: CapturedLogs;

beforeAll(async () => {
  logs = captureLogs('trace');
  t = await createTestApp({ LOG_REQUESTS: 'true' }, logs.logger);
});
afterAll(() => t.close());

/** Sends the head, then the body a moment later (so the server reads it apart); the status. */
function headThenBody(head: string, body: string): Promise<number> {
  const port = (t.app.getHttpServer().address() as { port: number }).port;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1])));
    socket.write(head, () => setTimeout(() => socket.write(body), 100));
  });
}

/** A request to a missing table answers 500, as any unexpected failure would. */
/** Available service types read the table on every request (the public list is kept in memory). */
async function withServiceTypesGone<T>(work: () => Promise<T>): Promise<T> {
  await t.sequelize.query('ALTER TABLE "ServiceTypes" RENAME TO "ServiceTypesAway"');
  try {
    return await work();
  } finally {
    await t.sequelize.query('ALTER TABLE "ServiceTypesAway" RENAME TO "ServiceTypes"');
  }
}

describe('request ids', () => {
  it('gives every response a new UUID as X-Request-Id, and error bodies the same id', async () => {
    const ok = await t.http.get('/api/health').expect(200);
    const missing = await t.http.get('/api/nope').expect(404);
    expect(ok.headers['x-request-id']).toMatch(UUID);
    expect(missing.headers['x-request-id']).toMatch(UUID);
    expect(missing.headers['x-request-id']).not.toBe(ok.headers['x-request-id']);
    expect(missing.body.requestId).toBe(missing.headers['x-request-id']);
  });

  it('keeps a sane X-Request-Id from the caller', async () => {
    const id = 'lb-01:7f3a.9_c-2';
    const response = await t.http.post('/api/auth/login').set('X-Request-Id', id).send({});
    expect(response.status).toBe(400);
    expect(response.headers['x-request-id']).toBe(id);
    expect(response.body.requestId).toBe(id);
  });

  it.each([
    ['too long', 'x'.repeat(129)],
    ['with a space', 'two words'],
    ['with a quote and braces', '"}{"level":"fatal'],
    ['with a newline escape', 'a\\nb'],
  ])('replaces an X-Request-Id %s with a UUID', async (_label, id) => {
    const response = await t.http.get('/api/health').set('X-Request-Id', id).expect(200);
    expect(response.headers['x-request-id']).toMatch(UUID);
  });
});

describe('log lines', () => {
  it('writes one JSON line per request with its id, method, path, status and duration', async () => {
    const response = await t.http.get('/api/service-types?secret=1').expect(200);
    const id = response.headers['x-request-id'];
    const line = await logs.waitFor('the request', (entry) => entry.requestId === id);
    expect(line).toMatchObject({
      level: 'info',
      context: 'HTTP',
      method: 'GET',
      path: '/api/service-types',
      status: 200,
      durationMs: expect.any(Number),
      time: expect.any(String),
    });
    expect(logs.text()).not.toContain('secret=1');
  });

  it('logs a 500 at error with its stack under the request id, and shows the client neither', async () => {
    const response = await withServiceTypesGone(() =>
      t.admin.get('/api/rides/available-service-types').set('X-Request-Id', 'boom-1'),
    );
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      success: false,
      statusCode: 500,
      error: 'Internal Server Error',
      code: 'INTERNAL_ERROR',
      message: 'Internal server error',
      requestId: 'boom-1',
    });
    const logged = await logs.waitFor(
      'the 500',
      (entry) => entry.level === 'error' && entry.requestId === 'boom-1',
    );
    expect(logged.context).toBe('Errors');
    expect(logged.msg).toMatch(/ServiceTypes/);
    expect(logged.stack).toMatch(/\n\s+at /);
    expect(response.text).not.toMatch(/ServiceTypes| at /);
  });

  it('logs under the request id when its body arrives after its head, in a later read', async () => {
    const body = JSON.stringify({
      name: 'Logged',
      baseFare: 2,
      perMileRate: 1,
      perMinuteRate: 0.2,
      maxPassengers: 4,
    });
    const before = logs.entries().length;
    const status = await withServiceTypesGone(() =>
      headThenBody(
        'POST /api/service-types HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n' +
          `Authorization: Bearer ${t.adminToken}\r\nX-Request-Id: boom-2\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`,
        body,
      ),
    );
    expect(status).toBe(500);
    const errors = logs
      .entries()
      .slice(before)
      .filter((entry) => entry.level === 'error');
    expect(errors).toEqual([expect.objectContaining({ requestId: 'boom-2' })]);
  });

  it('never writes a password, a token or an Authorization header, through a whole session', async () => {
    const username = `logged${Date.now() % 100000}`;
    await t.http
      .post('/api/auth/register')
      .send({ username, password: PASSWORD, roleId: 1 })
      .expect(201);
    const login = await t.http
      .post('/api/auth/login')
      .send({ username, password: PASSWORD })
      .expect(200);
    const { accessToken, refreshToken } = login.body as {
      accessToken: string;
      refreshToken: string;
    };
    const refreshed = await t.http
      .post('/api/auth/refresh')
      .send({ refreshToken, rotate: true })
      .expect(200);
    await t.http
      .post('/api/auth/login')
      .send({ username, password: `${PASSWORD}-wrong` })
      .expect(401);
    await withServiceTypesGone(() =>
      t.http
        .get('/api/rides/available-service-types')
        .set('Authorization', `Bearer ${accessToken}`)
        .expect(500),
    );
    await t.http
      .post('/api/auth/logout')
      .set('Authorization', `Bearer ${accessToken}`)
      .send({ refreshToken: refreshed.body.refreshToken })
      .expect(200);
    await logs.waitFor('the logout', (entry) => entry.path === '/api/auth/logout');

    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of [
      PASSWORD,
      accessToken,
      refreshToken,
      refreshed.body.refreshToken as string,
      refreshed.body.accessToken as string,
    ]) {
      expect(secret).toEqual(expect.any(String));
      expect(text).not.toContain(secret);
    }
    expect(text).not.toMatch(/Bearer\s+[A-Za-z0-9_.-]{8}/i);
  });
});
